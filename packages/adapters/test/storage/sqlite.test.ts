import { runStoreConformance } from '@callperm/testing';
import { emptyRecord } from '@callperm/core';
import { encodeRecord, type DriverCommit } from '@callperm/core/store';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { sqliteDriver, sqliteStore } from '@callperm/adapters/storage/sqlite';
import { SQLITE_MIGRATIONS, SQLITE_TABLES } from '../../src/storage/sqlite/migrations.js';
import { sqliteKey } from '../../src/storage/sqlite/sqliteKey.js';

const dir = mkdtempSync(join(tmpdir(), 'callperm-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `store-${(files += 1)}.sqlite`);
const thread = { pageId: '1001', psid: '2002' };

runStoreConformance(test, () => sqliteStore({ filename: freshFile() }), {
  name: 'sqlite',
  corrupt: (store, t, text) => {
    store.database.prepare(`UPDATE ${SQLITE_TABLES.threads} SET record = ? WHERE page_id = ? AND psid = ?`)
      .run(text, sqliteKey(t.pageId), sqliteKey(t.psid));
  },
});

describe('sqlite regressions', () => {
  test.each([true, false])('a commitThread failing part way lands nothing (group commit %s): its write, and with group commit its whole batch, roll back', async (groupCommit) => {
    const store = await sqliteStore({ filename: freshFile() }, { groupCommit });
    store.database.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON ${SQLITE_TABLES.dedupe}
      WHEN NEW.event_id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`);
    const other = { pageId: '1001', psid: '3003' };
    const [neighbour, failed] = await Promise.allSettled([
      store.commitThread({ thread: other, expectedVersion: 0, record: emptyRecord(), eventIds: ['n1'], now: 0, until: 10 }),
      store.commitThread({ thread, expectedVersion: 0, record: emptyRecord(), eventIds: ['fine', 'boom'], now: 0, until: 10 }),
    ]);
    expect(failed.status).toBe('rejected');
    expect(await store.get(thread)).toBeNull();
    expect(await store.remember('fine', 0, 10)).toBe(true);
    // Sharing the failed batch, the neighbour rolled back with it and says so; on its own it committed.
    expect(neighbour.status).toBe(groupCommit ? 'rejected' : 'fulfilled');
    expect(await store.get(other)).toEqual(groupCommit ? null : { version: 1, record: emptyRecord() });
    expect(await store.commitThread({ thread, expectedVersion: 0, record: emptyRecord(), eventIds: ['fine2'], now: 0, until: 10 }))
      .toEqual({ ok: true, version: 1, first: [true] });
    await store.close();
  });

  test('two connections on one file: compare-and-set conflicts across them', async () => {
    const file = freshFile();
    const [a, b] = await Promise.all([sqliteStore({ filename: file }), sqliteStore({ filename: file })]);
    expect(await a.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
    expect(await b.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: false, reason: 'conflict' });
    expect(await b.compareAndSet(thread, 1, { ...emptyRecord(), dueAt: 5 })).toEqual({ ok: true, version: 2 });
    expect(await a.get(thread)).toEqual({ version: 2, record: { ...emptyRecord(), dueAt: 5 } });
    expect(await a.remember('e1', 0, 10)).toBe(true);
    expect(await b.remember('e1', 1, 10)).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  test('opens in WAL with synchronous=NORMAL, a busy timeout and the newest schema; data survives a reopen', async () => {
    const file = freshFile();
    const store = await sqliteStore({ filename: file }, { busyTimeoutMs: 1234 });
    const db = store.database;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
    await store.compareAndSet(thread, 0, emptyRecord());
    await store.close();
    expect(db.open).toBe(false);
    const again = await sqliteStore({ filename: file });
    expect(await again.get(thread)).toEqual({ version: 1, record: emptyRecord() });
    await again.close();
  });

  test('synchronous: full syncs the WAL at every commit (FULL is 2), and still commits and reads back', async () => {
    const store = await sqliteStore({ filename: freshFile() }, { synchronous: 'full' });
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    expect(await store.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
    expect(await store.get(thread)).toEqual({ version: 1, record: emptyRecord() });
    await store.close();
  });

  test('a database migrated by a newer version is refused with schema_too_new', async () => {
    const db = new Database(freshFile());
    db.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    await expect(sqliteStore({ database: db })).rejects.toMatchObject({ code: 'schema_too_new' });
    db.close();
  });

  test('a database passed in stays open after close() unless closeWithStore says so', async () => {
    const db = new Database(freshFile());
    await (await sqliteStore({ database: db })).close();
    expect(db.open).toBe(true);
    await (await sqliteStore({ database: db, closeWithStore: true })).close();
    expect(db.open).toBe(false);
  });

  test('expired dedupe rows are pruned, on demand and as callers pass later instants', async () => {
    const store = await sqliteStore({ filename: freshFile() }, { pruneEveryMs: 1000 });
    const rows = (): unknown => store.database.prepare(`SELECT count(*) FROM ${SQLITE_TABLES.dedupe}`).pluck().get();
    for (const id of ['a', 'b', 'c']) expect(await store.remember(id, 0, 500)).toBe(true);
    expect(await store.remember('d', 100, 5000)).toBe(true);
    expect(rows()).toBe(4);
    expect(await store.pruneDedupe(500)).toBe(3);
    expect(rows()).toBe(1);
    expect(await store.remember('e', 1000, 2000)).toBe(true);
    expect(await store.remember('f', 6000, 7000)).toBe(true);
    expect(rows()).toBe(1);
    await store.close();
    await expect(store.pruneDedupe(9000)).rejects.toMatchObject({ code: 'store_closed' });
  });

  test('due reads the due_at index', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    const plan = store.database.prepare(
      `EXPLAIN QUERY PLAN SELECT page_id, psid FROM ${SQLITE_TABLES.threads} WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?`,
    ).all(0, 10);
    expect(JSON.stringify(plan)).toContain(`${SQLITE_TABLES.threads}_due`);
    await store.close();
  });

  test('dueDocs reads the (kind, due_at) index, and pruning the expires_at one', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    const plan = (sql: string): string => JSON.stringify(store.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all());
    expect(plan(`SELECT key FROM ${SQLITE_TABLES.docs} WHERE kind = 'inbox' AND due_at IS NOT NULL AND due_at <= 0 ORDER BY due_at LIMIT 10`))
      .toContain(`${SQLITE_TABLES.docs}_due`);
    expect(plan(`DELETE FROM ${SQLITE_TABLES.docs} WHERE expires_at IS NOT NULL AND expires_at <= 0`)).toContain(`${SQLITE_TABLES.docs}_expires`);
    await store.close();
  });

  test('a file at schema 1 gains the documents table and keeps its threads', async () => {
    const db = new Database(freshFile());
    db.exec(SQLITE_MIGRATIONS[0] ?? '');
    db.pragma('user_version = 1');
    db.prepare(`INSERT INTO ${SQLITE_TABLES.threads} (page_id, psid, version, record, due_at) VALUES (?, ?, 3, ?, NULL)`)
      .run(thread.pageId, thread.psid, JSON.stringify(emptyRecord()));
    const store = await sqliteStore({ database: db });
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
    expect(await store.get(thread)).toEqual({ version: 3, record: emptyRecord() });
    expect(await store.history(thread)).toEqual([]);
    expect(await store.putDoc('call', 'k', 0, '{}', { now: 0, dueAt: null, expiresAt: null })).toEqual({ ok: true, version: 1 });
    await store.close();
    db.close();
  });

  test('expired documents are deleted at most every pruneEveryMs of the writers\' instants', async () => {
    const store = await sqliteStore({ filename: freshFile() }, { pruneEveryMs: 1000 });
    const rows = (): unknown => store.database.prepare(`SELECT count(*) FROM ${SQLITE_TABLES.docs}`).pluck().get();
    const put = (key: string, now: number, expiresAt: number | null) => store.putDoc('call', key, 0, '{}', { now, dueAt: null, expiresAt });
    await put('a', 0, 500);
    await put('b', 600, null);
    expect(rows()).toBe(2); // a expired at 500, but the last prune ran at 0
    await put('c', 1000, null);
    expect(rows()).toBe(2); // pruned at 1000: a is gone
    expect(await store.getDoc('call', 'a')).toBeNull();
    await store.close();
  });

  test('ids that are not canonical decimals stay text and never meet their numeric look-alikes', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    const ids = ['123', '0123', '1234567890123456789', '123456789012345678', '~callperm/inbox', '12a'];
    for (const [i, psid] of ids.entries()) {
      expect(await store.compareAndSet({ pageId: '77', psid }, 0, { ...emptyRecord(), lastInboundAt: i, dueAt: i })).toEqual({ ok: true, version: 1 });
    }
    for (const [i, psid] of ids.entries()) expect((await store.get({ pageId: '77', psid }))?.record.lastInboundAt).toBe(i);
    expect((await store.due(100, 100)).map((t) => t.psid)).toEqual(ids);
    const types = store.database.prepare(`SELECT typeof(psid) FROM ${SQLITE_TABLES.threads} ORDER BY due_at`).pluck().all();
    expect(types).toEqual(['integer', 'text', 'text', 'integer', 'text', 'text']);
    await store.close();
  });

  test('operations of one turn share one transaction and resolve only after its commit', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    const db = store.database;
    const seen: boolean[] = [];
    const ops = Array.from({ length: 5 }, (_, i) => store.compareAndSet({ pageId: '1', psid: String(10 + i) }, 0, emptyRecord())
      .then((r) => { seen.push(db.inTransaction); return r; }));
    expect(db.inTransaction).toBe(true);
    expect(await Promise.all(ops)).toEqual(Array.from({ length: 5 }, () => ({ ok: true, version: 1 })));
    expect(seen).toEqual([false, false, false, false, false]);
    await store.close();
  });

  test('inside an open batch, a read of another thread resolves at once; a read of a written thread waits for the commit', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    const db = store.database;
    const other = { pageId: '1', psid: '3' };
    await store.compareAndSet(other, 0, emptyRecord());
    const write = store.compareAndSet(thread, 0, { ...emptyRecord(), dueAt: 9 });
    const when: Record<string, boolean> = {};
    const readOther = store.get(other).then((v) => { when.other = db.inTransaction; return v; });
    const readWritten = store.get(thread).then((v) => { when.written = db.inTransaction; return v; });
    expect((await readOther)?.version).toBe(1);
    expect(await readWritten).toEqual({ version: 1, record: { ...emptyRecord(), dueAt: 9 } });
    await write;
    expect(when).toEqual({ other: true, written: false });
    await store.close();
  });

  test('a failed commit rejects every operation of its turn and keeps none of them', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    const db = store.database;
    const a = store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord());
    const b = store.remember('e1', 0, 10);
    db.exec('ROLLBACK'); // the commit at the end of the turn now fails: no transaction is active
    await expect(a).rejects.toThrow();
    await expect(b).rejects.toThrow();
    expect(await store.get({ pageId: '1', psid: '2' })).toBeNull();
    expect(await store.remember('e1', 0, 10)).toBe(true);
    await store.close();
  });

  test('a schema-2 file moves to compact rows: JSON records read, then packed on their next write', async () => {
    const db = new Database(freshFile());
    db.exec(SQLITE_MIGRATIONS[0] ?? '');
    db.exec(SQLITE_MIGRATIONS[1] ?? '');
    db.pragma('user_version = 2');
    const insert = db.prepare(`INSERT INTO ${SQLITE_TABLES.threads} (page_id, psid, version, record, due_at) VALUES (?, ?, 2, ?, ?)`);
    insert.run('1001', '2002', JSON.stringify({ ...emptyRecord(), dueAt: 5 }), 5);
    insert.run('~side', 'k', JSON.stringify(emptyRecord()), null);
    const store = await sqliteStore({ database: db });
    expect(await store.get(thread)).toEqual({ version: 2, record: { ...emptyRecord(), dueAt: 5 } });
    expect(await store.due(5, 10)).toEqual([thread]);
    expect(await store.get({ pageId: '~side', psid: 'k' })).toEqual({ version: 2, record: emptyRecord() });
    await store.compareAndSet(thread, 2, emptyRecord());
    const stored = db.prepare(`SELECT typeof(page_id), typeof(record) FROM ${SQLITE_TABLES.threads} WHERE psid = 2002`).raw().get();
    expect(stored).toEqual(['integer', 'blob']);
    await store.close();
    db.close();
  });
});

describe('sqlite history storage', () => {
  const other = { pageId: '1001', psid: '3003' };
  const ALL = Number.MAX_SAFE_INTEGER;
  const openDriver = () => sqliteDriver(new Database(freshFile()), { closeDatabase: true });
  /** A driver commit writing `thread` over `expectedVersion`, with the given entries (texts are opaque to the driver). */
  const commitOf = (expectedVersion: number, history: [number, string][], more: Partial<DriverCommit<'bytes'>> = {}): DriverCommit<'bytes'> => ({
    thread, expectedVersion, record: encodeRecord('bytes', emptyRecord()), dueAt: null, eventIds: [], now: 0, until: 0,
    history: history.map(([at, text]) => ({ at, text })), historyBefore: Number.MIN_SAFE_INTEGER, historyUntil: ALL, prune: null, ...more,
  });
  const texts = (entries: readonly { text: string }[]): string[] => entries.map((e) => e.text);

  test('entries append in commit order and read newest first by at, then version, then index, with before and limit', async () => {
    const driver = openDriver();
    expect(await driver.commit(commitOf(0, [[10, 'a'], [20, 'b']]))).toEqual([]);
    expect(await driver.commit(commitOf(1, [[20, 'c'], [15, 'd']]))).toEqual([]);
    expect(await driver.commit(commitOf(2, [[20, 'e'], [20, 'f']]))).toEqual([]);
    expect(texts(await driver.readHistory(thread, ALL, 100))).toEqual(['f', 'e', 'c', 'b', 'd', 'a']);
    expect(await driver.readHistory(thread, 20, 100)).toEqual([{ at: 15, text: 'd' }, { at: 10, text: 'a' }]);
    expect(texts(await driver.readHistory(thread, ALL, 2))).toEqual(['f', 'e']);
    expect(texts(await driver.readHistory(thread, 11, 2))).toEqual(['a']);
    expect(await driver.readHistory(other, ALL, 100)).toEqual([]);
    const stored = driver.database.prepare(`SELECT typeof(page_id), typeof(psid), version, idx FROM ${SQLITE_TABLES.history} WHERE entry = 'f'`).raw().get();
    expect(stored).toEqual(['integer', 'integer', 3, 1]);
    await driver.close();
  });

  test('a conflicting commit appends nothing and remembers nothing', async () => {
    const driver = openDriver();
    expect(await driver.commit(commitOf(0, [[10, 'a']]))).toEqual([]);
    expect(await driver.commit(commitOf(0, [[11, 'lost']], { eventIds: ['x'], until: 100 }))).toBeNull();
    expect(await driver.commit(commitOf(5, [[12, 'lost too']]))).toBeNull();
    expect(texts(await driver.readHistory(thread, ALL, 100))).toEqual(['a']);
    expect(await driver.commit({ ...commitOf(0, []), thread: { pageId: '', psid: '' }, record: null, eventIds: ['x'], until: 100 })).toEqual([true]);
    await driver.close();
  });

  test('a prune deletes history before historyBefore, expired ids and documents, before the commit\'s own work', async () => {
    const driver = openDriver();
    const count = (table: string): unknown => driver.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    await driver.commit(commitOf(0, [[10, 'old'], [15, 'kept']], { eventIds: ['id1', 'id2'], until: 50 }));
    await driver.commit({ ...commitOf(0, [], { thread: other }), history: [{ at: 5, text: 'other old' }] });
    expect(await driver.putDoc('call', 'gone', 0, '{}', { now: 0, dueAt: null, expiresAt: 100 }, null)).toBe(true);
    expect(await driver.putDoc('call', 'stays', 0, '{}', { now: 0, dueAt: null, expiresAt: 101 }, null)).toBe(true);
    const first = await driver.commit(commitOf(1, [[1, 'appended after the prune']], {
      eventIds: ['id1'], now: 100, until: 200, prune: { now: 100, historyBefore: 15 },
    }));
    expect(first).toEqual([true]); // id1 expired at 50: pruned first, so new again
    expect(texts(await driver.readHistory(thread, ALL, 100))).toEqual(['kept', 'appended after the prune']);
    expect(await driver.readHistory(other, ALL, 100)).toEqual([]);
    expect(count(SQLITE_TABLES.dedupe)).toBe(1);
    expect(await driver.getDoc('call', 'gone')).toBeNull();
    expect(await driver.getDoc('call', 'stays')).toEqual({ version: 1, value: '{}', dueAt: null });
    // A putDoc carries a prune too, in its own transaction with the write.
    expect(await driver.putDoc('inbox', 'k', 0, '{}', { now: 300, dueAt: null, expiresAt: null }, { now: 300, historyBefore: ALL })).toBe(true);
    expect([count(SQLITE_TABLES.history), count(SQLITE_TABLES.dedupe), count(SQLITE_TABLES.docs)]).toEqual([0, 0, 1]);
    await driver.close();
  });

  test('reads use the thread index with no sort, and prunes the index on at', async () => {
    const driver = openDriver();
    const plan = (sql: string, ...args: unknown[]): string => JSON.stringify(driver.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args));
    const read = plan(`SELECT at, entry FROM ${SQLITE_TABLES.history} WHERE page_id = ? AND psid = ? AND at < ? ORDER BY at DESC, version DESC, idx DESC LIMIT ?`, 1n, 2n, 5, 10);
    expect(read).toContain(`${SQLITE_TABLES.history}_thread`);
    expect(read).not.toContain('TEMP B-TREE');
    expect(plan(`DELETE FROM ${SQLITE_TABLES.history} WHERE at < ?`, 5)).toContain(`${SQLITE_TABLES.history}_at`);
    await driver.close();
  });

  test('a history append failing part way rolls back the commit\'s record and ids', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    store.database.exec(`CREATE TRIGGER refuse_history BEFORE INSERT ON ${SQLITE_TABLES.history} BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    await expect(store.reset(thread, 0, 5)).rejects.toThrow();
    expect(await store.get(thread)).toBeNull();
    await store.close();
  });

  test('a corrupt row is reset without being read, and the RESET lands in the history', async () => {
    const store = await sqliteStore({ filename: freshFile() });
    await store.compareAndSet(thread, 0, emptyRecord());
    store.database.prepare(`UPDATE ${SQLITE_TABLES.threads} SET record = ?, version = 4`).run('{"schema":1,"state":"appro');
    const error: unknown = await store.get(thread).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'corrupt_record', version: 4 });
    expect(await store.reset(thread, 4, 77)).toEqual({ ok: true, version: 5 });
    expect(await store.get(thread)).toEqual({ version: 5, record: emptyRecord() });
    expect(await store.history(thread)).toMatchObject([{ at: 77, event: 'RESET', to: 'none', source: { kind: 'operator' } }]);
    await store.close();
  });
});
