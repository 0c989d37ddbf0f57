import { runStoreConformance } from '@callperm/testing';
import { emptyRecord, type Thread } from '@callperm/core';
import type { DriverCommit, HistoryEntry, PruneRequest } from '@callperm/core/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  migratePostgres, postgresDriver, postgresStore, postgresTables, type PostgresDriver, type PostgresStore,
} from '@callperm/adapters/storage/postgres';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { postgresQueries } from '../../src/storage/postgres/postgresQueries.js';
import { DATABASE_URL, removeStalePostgresSchemas, runTag, serverReachable } from './servers.js';

const reachable = await serverReachable('postgres');
const base = `cptest_${runTag()}`;
let pool: pg.Pool;
let schemas = 0;
const freshSchema = (): string => `${base}_${(schemas += 1)}`;
const thread = { pageId: '1001', psid: '2002' };
const other = { pageId: '1001', psid: '3003' };
const NO_PRUNE_BEFORE = Number.MIN_SAFE_INTEGER;

/** A driver commit writing `thread` over version 0 with no ids, no history, no prune, unless `over` says otherwise. */
const commitOf = (over: Partial<DriverCommit<'text'>>): DriverCommit<'text'> => ({
  thread, expectedVersion: 0, record: '{}', dueAt: null, eventIds: [], now: 0, until: 0,
  history: [], historyBefore: NO_PRUNE_BEFORE, historyUntil: 0, prune: null, ...over,
});
const entries = (...items: [number, string][]) => items.map(([at, text]) => ({ at, text }));
const texts = (rows: readonly { readonly text: string }[]): string[] => rows.map((r) => r.text);
const prune = (now: number, historyBefore: number): PruneRequest => ({ now, historyBefore });
const historyEntry = (at: number): HistoryEntry => ({
  at, recordedAt: at, from: 'none', to: 'requested', event: 'REQUEST', source: { kind: 'host' }, expiresAt: null, provisional: false, reason: null,
});

describe.skipIf(!reachable)('postgres', () => {
  beforeAll(async () => {
    await removeStalePostgresSchemas('cptest');
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 12 });
  });
  afterAll(async () => {
    const { rows } = await pool.query<{ s: string }>(
      "SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1 || '\\_%'", [base],
    );
    for (const { s } of rows) await pool.query(`DROP SCHEMA "${s}" CASCADE`);
    await pool.end();
  });

  runStoreConformance(test, () => postgresStore({ pool }, { schema: freshSchema() }), {
    name: 'postgres',
    corrupt: async (store: PostgresStore, t, text) => {
      await store.pool.query(`UPDATE ${store.tables.threads} SET record = $3 WHERE page_id = $1 AND psid = $2`,
        [t.pageId, t.psid, text]);
    },
  });

  test('postgres: stores starting together migrate once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => postgresStore({ pool }, { schema })));
    const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${stores[0]!.tables.migrations} ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    expect(await stores[0]!.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
    expect(await stores[3]!.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: false, reason: 'conflict' });
    await Promise.all(stores.map((s) => s.close()));
  });

  test('postgres: a schema migrated by a newer version is refused with schema_too_new', async () => {
    const schema = freshSchema();
    const store = await postgresStore({ pool }, { schema });
    await pool.query(`INSERT INTO ${store.tables.migrations} (version) VALUES ($1)`, [POSTGRES_MIGRATIONS.length + 1]);
    await expect(postgresStore({ pool }, { schema })).rejects.toMatchObject({ code: 'schema_too_new' });
  });

  test('postgres: a schema at version 1 gains the documents table and keeps its threads', async () => {
    const tables = postgresTables(freshSchema());
    await pool.query(`CREATE SCHEMA ${tables.schema}`);
    await pool.query(`CREATE TABLE ${tables.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(POSTGRES_MIGRATIONS[0]!(tables));
    await pool.query(`INSERT INTO ${tables.migrations} (version) VALUES (1)`);
    await pool.query(`INSERT INTO ${tables.threads} (page_id, psid, version, record) VALUES ($1, $2, 3, $3)`,
      [thread.pageId, thread.psid, JSON.stringify(emptyRecord())]);
    const store = await postgresStore({ pool }, { schema: tables.schemaName });
    const { rows } = await pool.query<{ v: number }>(`SELECT max(version) AS v FROM ${tables.migrations}`);
    expect(rows[0]?.v).toBe(POSTGRES_MIGRATIONS.length);
    expect(await store.get(thread)).toEqual({ version: 3, record: emptyRecord() });
    expect(await store.putDoc('call', 'k', 0, '{}', { now: 0, dueAt: 7, expiresAt: null })).toEqual({ ok: true, version: 1 });
    expect(await store.getDoc('call', 'k')).toEqual({ version: 1, value: '{}', dueAt: 7 });
  });

  test('postgres: a schema at version 2 (the release before history) gains the history table and keeps its data', async () => {
    const tables = postgresTables(freshSchema());
    await pool.query(`CREATE SCHEMA ${tables.schema}`);
    await pool.query(`CREATE TABLE ${tables.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const [i, m] of POSTGRES_MIGRATIONS.slice(0, 2).entries()) {
      await pool.query(m(tables));
      await pool.query(`INSERT INTO ${tables.migrations} (version) VALUES ($1)`, [i + 1]);
    }
    await pool.query(`INSERT INTO ${tables.threads} (page_id, psid, version, record) VALUES ($1, $2, 2, $3)`,
      [thread.pageId, thread.psid, JSON.stringify(emptyRecord())]);
    await pool.query(`INSERT INTO ${tables.dedupe} (event_id, until) VALUES ('seen', 1000)`);
    await pool.query(`INSERT INTO ${tables.docs} (kind, key, version, value) VALUES ('inbox', 'k', 4, '{}')`);
    const store = await postgresStore({ pool }, { schema: tables.schemaName });
    expect(await store.get(thread)).toEqual({ version: 2, record: emptyRecord() });
    expect(await store.remember('seen', 0, 1000)).toBe(false);
    expect(await store.getDoc('inbox', 'k')).toEqual({ version: 4, value: '{}', dueAt: null });
    const entry = historyEntry(7);
    expect(await store.commitThread({ thread, expectedVersion: 2, record: emptyRecord(), eventIds: [], now: 7, until: 7, history: [entry] }))
      .toEqual({ ok: true, version: 3, first: [] });
    expect(await store.history(thread)).toEqual([entry]);
    await store.close();
  });

  test('postgres: dueDocs, readHistory and the prune can use their indexes', async () => {
    const store = await postgresStore({ pool }, { schema: freshSchema() });
    const q = postgresQueries(store.tables);
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string): Promise<string> => JSON.stringify((await client.query(`EXPLAIN ${sql}`)).rows);
      expect(await plan(`SELECT key FROM ${store.tables.docs} WHERE kind = 'inbox' AND due_at IS NOT NULL AND due_at <= 0 ORDER BY due_at LIMIT 10`))
        .toContain('callperm_docs_due');
      const history = await plan(q.history.text.replace('$1', "'1'").replace('$2', "'2'").replace('$3', '0').replace('$4', '10'));
      expect(history).toContain('callperm_history_thread');
      expect(history).not.toContain('Sort');
      const pruning = await plan(q.prune.text.replaceAll('$1', '0').replaceAll('$2', '0'));
      for (const index of ['callperm_dedupe_until', 'callperm_docs_expires', 'callperm_history_at']) expect(pruning).toContain(index);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });

  test('postgres: a schema name that would need quoting is refused', async () => {
    await expect(postgresStore({ pool }, { schema: 'Bad"Name' })).rejects.toBeInstanceOf(RangeError);
  });

  test('postgres: a store opened from a connection string ends its pool on close; a pool passed in stays open', async () => {
    const own = await postgresStore({ connectionString: DATABASE_URL, poolSize: 2 }, { schema: freshSchema() });
    expect(await own.get(thread)).toBeNull();
    await own.close();
    expect(own.pool.ended).toBe(true);
    const lent = await postgresStore({ pool }, { schema: freshSchema() });
    await lent.close();
    expect(pool.ended).toBe(false);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await expect(lent.get(thread)).rejects.toMatchObject({ code: 'store_closed' });
  });

  test('postgres: expired dedupe rows are pruned, on demand and as callers pass later instants', async () => {
    const store = await postgresStore({ pool }, { schema: freshSchema(), pruneEveryMs: 1000 });
    const rows = async (): Promise<number> => Number((await pool.query(`SELECT count(*) AS n FROM ${store.tables.dedupe}`)).rows[0].n);
    for (const id of ['a', 'b', 'c']) expect(await store.remember(id, 0, 500)).toBe(true);
    expect(await store.remember('d', 100, 5000)).toBe(true);
    expect(await rows()).toBe(4);
    expect(await store.pruneDedupe(500)).toBe(3);
    expect(await rows()).toBe(1);
    expect(await store.remember('e', 1000, 2000)).toBe(true);
    expect(await store.remember('f', 6000, 7000)).toBe(true);
    expect(await rows()).toBe(1);
  });

  test('postgres: due can use the partial index on due_at', async () => {
    const store = await postgresStore({ pool }, { schema: freshSchema() });
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = await client.query(`EXPLAIN ${postgresQueries(store.tables).due.text.replace('$1', '0').replace('$2', '10')}`);
      expect(JSON.stringify(plan.rows)).toContain('callperm_threads_due');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
  describe('postgres driver: history', () => {
    const freshDriver = async (): Promise<PostgresDriver> => {
      const tables = postgresTables(freshSchema());
      await migratePostgres(pool, tables);
      return postgresDriver(pool, tables);
    };
    const rowCount = async (table: string): Promise<number> => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

    test('entries are appended in commit order and read newest first by at, then version and index', async () => {
      const d = await freshDriver();
      expect(await d.commit(commitOf({ history: entries([10, 'a'], [10, 'b']) }))).toEqual([]);
      expect(await d.commit(commitOf({ expectedVersion: 1, history: entries([10, 'c'], [5, 'd']) }))).toEqual([]);
      expect(await d.commit(commitOf({ expectedVersion: 2, history: entries([20, 'e']) }))).toEqual([]);
      expect(texts(await d.readHistory(thread, Number.MAX_SAFE_INTEGER, 100))).toEqual(['e', 'c', 'b', 'a', 'd']);
      expect(await d.readHistory(thread, 20, 2)).toEqual(entries([10, 'c'], [10, 'b']));
      expect(texts(await d.readHistory(thread, 10, 100))).toEqual(['d']);
      expect(texts(await d.readHistory(thread, 9.5, Infinity))).toEqual(['d']);
      expect(texts(await d.readHistory(thread, Infinity, 1))).toEqual(['e']);
      expect(await d.readHistory(thread, NaN, 10)).toEqual([]);
      expect(await d.readHistory(other, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      await d.close();
    });

    test('a conflicting commit appends nothing and remembers nothing, in a batch or alone', async () => {
      const d = await freshDriver();
      expect(await d.commit(commitOf({ history: entries([1, 'first']) }))).toEqual([]);
      // One turn: a write at the stored version, a doomed second write at the same version, a wrong version elsewhere.
      const [won, doomed, wrong] = await Promise.all([
        d.commit(commitOf({ expectedVersion: 1, eventIds: ['x'], history: entries([2, 'won']) })),
        d.commit(commitOf({ expectedVersion: 1, eventIds: ['y'], history: entries([3, 'doomed']) })),
        d.commit(commitOf({ thread: other, expectedVersion: 4, eventIds: ['z'], history: entries([4, 'wrong']) })),
      ]);
      expect([won, doomed, wrong]).toEqual([[true], null, null]);
      expect(await d.commit(commitOf({ expectedVersion: 1, history: entries([5, 'late']) }))).toBeNull();
      expect(texts(await d.readHistory(thread, Number.MAX_SAFE_INTEGER, 10))).toEqual(['won', 'first']);
      expect(await d.readHistory(other, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      const [y, z] = await Promise.all(['y', 'z'].map(async (id) => d.commit(commitOf({ thread: { pageId: '', psid: '' }, record: null, eventIds: [id] }))));
      expect([y, z]).toEqual([[true], [true]]);
      await d.close();
    });

    test('one turn of commits is one statement: writes, remember-only calls and history land per call', async () => {
      const d = await freshDriver();
      const threads: Thread[] = Array.from({ length: 20 }, (_, i) => ({ pageId: 'p', psid: String(i) }));
      const results = await Promise.all([
        ...threads.map((t, i) => d.commit(commitOf({ thread: t, eventIds: [`w${i}`, 'shared'], until: 100, history: entries([i, `t${i}:0`], [i, `t${i}:1`]) }))),
        d.commit(commitOf({ thread: { pageId: '', psid: '' }, record: null, eventIds: ['r', 'r', 'w0'], until: 100 })),
      ]);
      // 'shared' is first for exactly one writer; a remember-only call that reuses an id waits for the next batch.
      expect(results.slice(0, 20).filter((r) => r?.[1] === true)).toHaveLength(1);
      expect(results.slice(0, 20).every((r) => r?.[0] === true)).toBe(true);
      expect(results[20]).toEqual([true, false, false]);
      for (const [i, t] of threads.entries()) expect(texts(await d.readHistory(t, Number.MAX_SAFE_INTEGER, 10))).toEqual([`t${i}:1`, `t${i}:0`]);
      expect(await rowCount(d.tables.threads)).toBe(20);
      await d.close();
    });

    test('a value PostgreSQL refuses fails its own call only', async () => {
      const d = await freshDriver();
      const [bad, good] = await Promise.allSettled([
        d.commit(commitOf({ thread: { pageId: 'a\u0000b', psid: '1' }, history: entries([1, 'bad']) })),
        d.commit(commitOf({ history: entries([1, 'good']) })),
      ]);
      expect(bad.status).toBe('rejected');
      expect(good).toEqual({ status: 'fulfilled', value: [] });
      expect(await rowCount(d.tables.history)).toBe(1);
      await d.close();
    });

    test('a prune request deletes expired ids, documents and history before its call, after the calls before it', async () => {
      const d = await freshDriver();
      await d.commit(commitOf({ eventIds: ['old'], now: 0, until: 100, history: entries([10, 'a'], [50, 'b']) }));
      expect(await d.putDoc('call', 'gone', 0, '{}', { now: 0, dueAt: null, expiresAt: 100 }, null)).toBe(true);
      expect(await d.putDoc('call', 'kept', 0, '{}', { now: 0, dueAt: null, expiresAt: 500 }, null)).toBe(true);
      // Same turn: a commit appending an old entry, then a putDoc whose prune must see it.
      const [appended, put] = await Promise.all([
        d.commit(commitOf({ thread: other, history: entries([20, 'c'], [60, 'd']) })),
        d.putDoc('inbox', 'k', 0, '{}', { now: 200, dueAt: 1, expiresAt: null }, prune(200, 50)),
      ]);
      expect([appended, put]).toEqual([[], true]);
      expect(texts(await d.readHistory(thread, Number.MAX_SAFE_INTEGER, 10))).toEqual(['b']);
      expect(texts(await d.readHistory(other, Number.MAX_SAFE_INTEGER, 10))).toEqual(['d']);
      expect(await d.getDoc('call', 'gone')).toBeNull();
      expect(await d.getDoc('call', 'kept')).not.toBeNull();
      expect(await rowCount(d.tables.dedupe)).toBe(0);
      // Carried by a commit: the prune runs first, then the commit's own entries are appended.
      expect(await d.commit(commitOf({ expectedVersion: 1, now: 300, history: entries([1, 'new']), prune: prune(300, 55) }))).toEqual([]);
      expect(texts(await d.readHistory(thread, Number.MAX_SAFE_INTEGER, 10))).toEqual(['new']);
      expect(texts(await d.readHistory(other, Number.MAX_SAFE_INTEGER, 10))).toEqual(['d']);
      await d.close();
    });

    test('close waits for the calls it accepted, then ends a pool it owns', async () => {
      const tables = postgresTables(freshSchema());
      await migratePostgres(pool, tables);
      const own = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
      const d = postgresDriver(own, tables, { closeWithDriver: true });
      const calls = Promise.all([
        d.commit(commitOf({ history: entries([1, 'a']) })),
        d.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: null, expiresAt: null }, prune(0, 0)),
        d.readHistory(other, 10, 10),
      ]);
      await d.close();
      expect(await calls).toEqual([[], true, []]);
      expect(own.ended).toBe(true);
      await expect(d.pruneDedupe(0)).rejects.toMatchObject({ code: 'store_closed' });
      expect(await rowCount(tables.history)).toBe(1);
    });

    test('through the store: commitThread entries read back decoded, and reset appends one to a corrupt row', async () => {
      const store = await postgresStore({ pool }, { schema: freshSchema() });
      const [a, b] = [historyEntry(1), { ...historyEntry(2), from: 'requested' as const, to: 'approved' as const, event: 'REPLY_APPROVE' as const }];
      expect(await store.commitThread({ thread, expectedVersion: 0, record: emptyRecord(), eventIds: ['e'], now: 2, until: 9, history: [a, b] }))
        .toEqual({ ok: true, version: 1, first: [true] });
      await pool.query(`UPDATE ${store.tables.threads} SET record = 'not json' WHERE page_id = $1 AND psid = $2`, [thread.pageId, thread.psid]);
      await expect(store.get(thread)).rejects.toMatchObject({ code: 'corrupt_record', version: 1 });
      expect(await store.reset(thread, 1, 3)).toEqual({ ok: true, version: 2 });
      expect(await store.get(thread)).toEqual({ version: 2, record: emptyRecord() });
      expect((await store.history(thread)).map((e) => e.event)).toEqual(['RESET', 'REPLY_APPROVE', 'REQUEST']);
      expect(await store.history(thread, { before: 3, limit: 1 })).toEqual([b]);
      await store.close();
    });
  });

  describe('postgres driver: retire', () => {
    const freshDriver = async (): Promise<PostgresDriver> => {
      const tables = postgresTables(freshSchema());
      await migratePostgres(pool, tables);
      return postgresDriver(pool, tables);
    };

    test('the thread\'s history moves below version 1, in order, so a new row\'s entries never replace it', async () => {
      const d = await freshDriver();
      expect(await d.commit(commitOf({ history: entries([10, 'a'], [10, 'b']) }))).toEqual([]);
      expect(await d.commit(commitOf({ expectedVersion: 1, history: entries([10, 'c']) }))).toEqual([]);
      expect(await d.deleteThread(thread, 1)).toBe(false);
      expect(await d.deleteThread(thread, 2)).toBe(true);
      const keys = async (): Promise<{ version: number; idx: number; entry: string }[]> => (await pool.query<{ version: number; idx: number; entry: string }>(
        `SELECT version, idx, entry FROM ${d.tables.history} WHERE page_id = $1 AND psid = $2 ORDER BY version, idx`, [thread.pageId, thread.psid],
      )).rows;
      expect(await keys()).toEqual([{ version: -1, idx: 0, entry: 'a' }, { version: -1, idx: 1, entry: 'b' }, { version: 0, idx: 0, entry: 'c' }]);
      // A new row from version 1, retired again: the older entries move further down, still below the newer.
      expect(await d.commit(commitOf({ history: entries([10, 'd']) }))).toEqual([]);
      expect(texts(await d.readHistory(thread, Number.MAX_SAFE_INTEGER, 10))).toEqual(['d', 'c', 'b', 'a']);
      expect(await d.deleteThread(thread, 1)).toBe(true);
      expect((await keys()).map((r) => r.version)).toEqual([-4, -4, -3, -2]);
      expect(texts(await d.readHistory(thread, Number.MAX_SAFE_INTEGER, 10))).toEqual(['d', 'c', 'b', 'a']);
      expect(texts(await d.readHistory(other, Number.MAX_SAFE_INTEGER, 10))).toEqual([]);
      await d.close();
    });

    test('a commit racing the delete of its version waits for it, then conflicts: it never writes the row again', async () => {
      const d = await freshDriver();
      expect(await d.commit(commitOf({}))).toEqual([]);
      const holder = await pool.connect();
      try {
        const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await holder.query('BEGIN');
        await holder.query(`DELETE FROM ${d.tables.threads} WHERE page_id = $1 AND psid = $2 AND version = 1`, [thread.pageId, thread.psid]);
        const racing = d.commit(commitOf({ expectedVersion: 1, record: '{"racing":true}' }));
        // Poll the server (no clock) until the commit's statement waits on the open delete.
        const blocked = `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`;
        for (let polls = 0; (await pool.query<{ n: number }>(blocked, [rows[0]?.pid])).rows[0]?.n === 0; polls += 1) {
          expect(polls).toBeLessThan(100_000);
        }
        await holder.query('COMMIT');
        expect(await racing).toBeNull();
      } finally {
        holder.release();
      }
      expect(await d.getThread(thread)).toBeNull();
      await d.close();
    });

    test('a retire waits for the commits accepted before it, and at version 0 only reads', async () => {
      const d = await freshDriver();
      const [created, retired, absent] = await Promise.all([
        d.commit(commitOf({ dueAt: 5 })),
        d.deleteThread(thread, 1),
        d.deleteThread(other, 0),
      ]);
      expect([created, retired, absent]).toEqual([[], true, true]);
      expect(await d.getThread(thread)).toBeNull();
      expect(await d.dueThreads(10, 10)).toEqual([]);
      expect(await d.deleteThread(thread, 2 ** 40)).toBe(false);
      await d.close();
    });
  });
});
