/**
 * Generated the format-v1 storage corpus next to this file: what callperm
 * release 0.1.0 (commit 38b3ff2a768e3c80cdf6dd4dd27a7e4a6466eea8) stores, through
 * that release's own code. It ran ONCE, from a clean export of that commit:
 *
 *   npx tsx packages/adapters/test/storage/corpus/v1/generate.ts
 *
 * with PostgreSQL at DATABASE_URL and Redis at REDIS_URL (see ../../servers.ts).
 * It is kept for the record only: it is NOT re-run after the storage refactor
 * (the code it calls no longer writes format v1 then), and the files it wrote
 * are never regenerated or edited. See README.md. It imports 0.1.0's API, which
 * later releases moved: it is left out of type checking and linting (tsconfig.json,
 * eslint.config.js) and must never be run against a later release.
 *
 * Deterministic: fixed instants and ids; the only run-dependent names are the
 * throwaway PostgreSQL schema and Redis prefix (by process id), which never
 * reach the outputs. One function per output; each driver's output is read back
 * through the driver before the script ends.
 */
import {
  callTraceKey, createCallPermissions, memoryStore, packRecord, PermissionRecordCodec, unpackRecord, webhookEventId,
  type CallEvent, type DocKind, type DocWrite, type GraphApi, type PermissionRecord, type PermissionStore, type WebhookEvent,
} from '@callperm/core';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { deepStrictEqual, equal, ok } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresStore } from '../../../../src/storage/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../../../src/storage/postgres/migrations.js';
import { postgresTables, type PostgresTables } from '../../../../src/storage/postgres/postgresTables.js';
import { redisStore } from '../../../../src/storage/redis.js';
import { deleteRedisKeys } from '../../../../src/storage/redis/deleteRedisKeys.js';
import { encodeRecord } from '../../../../src/storage/shared/recordJson.js';
import { sqliteStore } from '../../../../src/storage/sqlite.js';
import { DATABASE_URL, REDIS_URL } from '../../servers.js';
import {
  PREFIX_PLACEHOLDER, SCHEMA_PLACEHOLDER,
  type CorpusDedupe, type CorpusDoc, type CorpusThread, type RecordV1, type RedisCommand,
} from '../corpusV1.js';

const here = fileURLToPath(new URL('.', import.meta.url));

// ---------------------------------------------------------------------------
// fixed instants and ids
// ---------------------------------------------------------------------------

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2025-03-01T12:00:00.000Z: every instant of the corpus is relative to it. */
const B = 1_740_830_400_000;
/** The `now` the drivers were written at (before every document's expiry, after every remembered id's `now`). */
const WRITE_NOW = B;
/** `updated_at` / `applied_at` of every PostgreSQL row in postgres.sql (the live ones hold the wall clock). */
const PG_TIMESTAMP = '2025-03-01 12:00:00+00';

const PAGE = '1234567890123456';
const ODD_THREAD = { pageId: 'page:a{b}', psid: 'psid:é/%20 x}' };

/** A record of 0.1.0: the empty record's fields in its order, then `fields`. */
const record = (fields: Partial<RecordV1>): RecordV1 => ({
  schema: 1,
  state: 'none',
  expiresAt: null,
  provisional: false,
  evidence: null,
  requests: [],
  pending: null,
  lastInboundAt: null,
  remote: null,
  lastEventAt: null,
  dueAt: null,
  ...fields,
});

/** A literal record as the running code's PermissionRecord, checked by its codec (RecordV1 is 0.1.0's PermissionRecord, frozen). */
const asRecord = (r: RecordV1): PermissionRecord => {
  const value: unknown = r;
  if (!PermissionRecordCodec.is(value)) throw new TypeError(`not a PermissionRecord of the running release: ${JSON.stringify(r)}`);
  return value;
};

// ---------------------------------------------------------------------------
// threads.json
// ---------------------------------------------------------------------------

const threadEntry = (label: string, pageId: string, psid: string, version: number, r: RecordV1): CorpusThread => {
  ok(PermissionRecordCodec.is(r), `not a PermissionRecord of 0.1.0: ${label}`);
  const stored = JSON.parse(encodeRecord(asRecord(r))) as RecordV1;
  deepStrictEqual(stored, r, `JSON changes ${label}`);
  const packed = packRecord(asRecord(r));
  const packedWithVersion = packRecord(asRecord(r), [version]);
  deepStrictEqual(unpackRecord(packed).record, r, `packing changes ${label}`);
  deepStrictEqual(unpackRecord(packedWithVersion, 1), { prefix: [version], record: r }, `packing with the version changes ${label}`);
  const base64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
  return { label, thread: { pageId, psid }, version, record: stored, packed: base64(packed), packedWithVersion: base64(packedWithVersion) };
};

/** Every field shape of the 0.1.0 record, as literal records. */
function threads(): CorpusThread[] {
  const entries = [
    threadEntry('none: the empty record (canonical decimal ids)', PAGE, '2345678901234567', 1, record({})),
    threadEntry('none: only an inbound message seen', PAGE, '2345678901234568', 2, record({
      lastInboundAt: B - 10 * MIN, lastEventAt: B - 10 * MIN,
    })),
    threadEntry('requested: slot reserved, send in flight (pending without a message id)', PAGE, '2345678901234569', 2, record({
      state: 'requested', requests: [B],
      pending: { at: B, messageId: null, ambiguous: false, prior: 'none' },
      lastInboundAt: B - 2 * MIN, lastEventAt: B,
    })),
    threadEntry('requested: sent (ASCII message id), two requests in the window, after an expiry', PAGE, '2345678901234570', 3, record({
      state: 'requested',
      evidence: { at: B - 8 * DAY, rank: 3, weight: B - DAY },
      requests: [B - 20 * HOUR, B - HOUR],
      pending: { at: B - HOUR, messageId: 'm_AbC-123', ambiguous: false, prior: 'expired' },
      lastInboundAt: B - HOUR - 30 * SEC, lastEventAt: B - HOUR + 800, dueAt: B + 4 * HOUR,
    })),
    threadEntry('requested: ambiguous send (non-ASCII message id) after a rejection', PAGE, '2345678901234571', 4, record({
      state: 'requested',
      evidence: { at: B - 3 * DAY, rank: 1, weight: -1 },
      requests: [B - 30 * SEC],
      pending: { at: B - 30 * SEC, messageId: 'm_é✓😀', ambiguous: true, prior: 'rejected' },
      lastInboundAt: B - 5 * MIN, lastEventAt: B - 29 * SEC, dueAt: B + 30 * SEC,
    })),
    threadEntry('approved: approve reply with an expiry, remote view with limits', PAGE, '2345678901234572', 5, record({
      state: 'approved', expiresAt: B + 7 * DAY,
      evidence: { at: B - 2 * HOUR, rank: 3, weight: B + 7 * DAY },
      requests: [B - 3 * HOUR],
      lastInboundAt: B - 3 * HOUR - MIN,
      remote: {
        at: B - HOUR, canRequest: true, requestLimits: [{ periodMs: DAY, max: 2, used: 1 }],
        canStartCall: true, startCallLimits: [{ periodMs: DAY, max: 5, used: 0 }],
      },
      lastEventAt: B - HOUR, dueAt: B + 7 * DAY,
    })),
    threadEntry('approved: provisional implicit grant, no known expiry (weight MAX_SAFE_INTEGER)', PAGE, '2345678901234573', 1, record({
      state: 'approved', provisional: true,
      evidence: { at: B - 15 * MIN, rank: 2, weight: Number.MAX_SAFE_INTEGER },
      lastEventAt: B - 15 * MIN, dueAt: B - 15 * MIN,
    })),
    threadEntry('approved: remote sync, call quota spent (canStartCall false, canRequest unknown)', PAGE, '2345678901234574', 4, record({
      state: 'approved', expiresAt: B + 6 * DAY,
      evidence: { at: B - 10 * MIN, rank: 4, weight: B + 6 * DAY },
      remote: {
        at: B - 10 * MIN, canRequest: null, requestLimits: [],
        canStartCall: false, startCallLimits: [{ periodMs: DAY, max: 5, used: 5 }, { periodMs: 7 * DAY, max: 20, used: 12 }],
      },
      lastEventAt: B - 10 * MIN, dueAt: B + 6 * DAY,
    })),
    threadEntry('rejected: denial evidence (weight -1), one request', PAGE, '2345678901234575', 3, record({
      state: 'rejected',
      evidence: { at: B - 40 * MIN, rank: 1, weight: -1 },
      requests: [B - HOUR],
      lastInboundAt: B - HOUR - 2 * MIN, lastEventAt: B - 40 * MIN,
    })),
    threadEntry('expired: the permission ran out; remote cannot request, reports no limits', PAGE, '2345678901234576', 6, record({
      state: 'expired', expiresAt: B - DAY,
      evidence: { at: B - 8 * DAY, rank: 3, weight: B - DAY },
      remote: { at: B - 2 * DAY, canRequest: false, requestLimits: [], canStartCall: null, startCallLimits: [] },
      lastEventAt: B - DAY,
    })),
    threadEntry('absolute encoding: instants far before lastEventAt (2001 against 2100)', PAGE, '2345678901234577', 2, record({
      state: 'approved', expiresAt: 1_000_000_000_000 + 7 * DAY,
      evidence: { at: 1_000_000_000_000, rank: 3, weight: 1_000_000_000_000 + 7 * DAY },
      requests: [999_999_900_000],
      lastInboundAt: 999_999_000_000, lastEventAt: 4_102_444_800_000, dueAt: 1_000_000_000_000 + 7 * DAY,
    })),
    threadEntry('absolute encoding: no lastEventAt (base 0)', PAGE, '2345678901234578', 1, record({
      requests: [B - DAY], lastInboundAt: B - DAY, dueAt: B + 12 * HOUR,
    })),
    threadEntry('float path: fractional instants and usage, integers beyond 2^49', PAGE, '2345678901234579', 2, record({
      state: 'approved', expiresAt: B + 7 * DAY + 0.5,
      evidence: { at: B - 1000.5, rank: 3, weight: 2 ** 53 + 2 },
      lastInboundAt: B - 2000.25,
      remote: {
        at: B - 1000.5, canRequest: true, requestLimits: [{ periodMs: DAY, max: 2, used: 1.5 }],
        canStartCall: true, startCallLimits: [{ periodMs: DAY, max: 5, used: 0.25 }],
      },
      lastEventAt: B + 0.25, dueAt: 2 ** 50,
    })),
    threadEntry('ids: 19 and 20 digits (beyond SQLite INTEGER keys)', '9223372036854775808', '12345678901234567890', 2, record({
      state: 'approved', expiresAt: B + 5 * DAY,
      evidence: { at: B - 2 * DAY, rank: 3, weight: B + 5 * DAY },
      lastEventAt: B - 2 * DAY, dueAt: B + 5 * DAY,
    })),
    threadEntry('ids: leading zeros (kept as text)', '0123456789', '0000000000000042', 1, record({
      state: 'requested', requests: [B - 2 * MIN],
      pending: { at: B - 2 * MIN, messageId: 'm_0', ambiguous: false, prior: 'none' },
      lastInboundAt: B - 3 * MIN, lastEventAt: B - 2 * MIN + 500,
    })),
    threadEntry('ids: non-numeric, with key-syntax, URI and non-ASCII characters', ODD_THREAD.pageId, ODD_THREAD.psid, 2, record({
      state: 'approved', provisional: true,
      evidence: { at: B - 20 * MIN, rank: 2, weight: Number.MAX_SAFE_INTEGER },
      lastEventAt: B - 20 * MIN, dueAt: B - 19 * MIN,
    })),
    threadEntry('version 300 (a two-byte version prefix), the largest and smallest canonical ids', '999999999999999999', '1', 300, record({
      state: 'expired', expiresAt: B - 2 * HOUR,
      evidence: { at: B - 9 * DAY, rank: 4, weight: B - 2 * HOUR },
      requests: [B - 9 * DAY - HOUR],
      remote: {
        at: B - 9 * DAY, canRequest: true, requestLimits: [{ periodMs: DAY, max: 2, used: 2 }],
        canStartCall: true, startCallLimits: [],
      },
      lastEventAt: B - 2 * HOUR,
    })),
    threadEntry('requested: a lone surrogate in the message id', PAGE, '2345678901234580', 1, record({
      state: 'requested', requests: [B - MIN],
      pending: { at: B - MIN, messageId: 'm_\ud800x', ambiguous: true, prior: 'none' },
      lastEventAt: B - MIN, dueAt: B + MIN,
    })),
  ];
  const dues = entries.flatMap((e) => (e.record.dueAt === null ? [] : [e.record.dueAt]));
  equal(new Set(dues).size, dues.length, 'dueAt values must be distinct (the due order is checked)');
  return entries;
}

// ---------------------------------------------------------------------------
// docs.json: through 0.1.0's service, on a memory store with a fixed clock
// ---------------------------------------------------------------------------

type CallFields = Pick<CallEvent, 'pageId' | 'callId' | 'event' | 'at'> & Partial<CallEvent>;

/** A decoded `calls` item, its fields and id as 0.1.0's decoder (decodeCallItem) builds them. */
const callItem = (c: CallFields): CallEvent => {
  const { pageId, callId, event, at, psid = null, direction = null, callStatus = null, terminateStatus = null, durationSec = null } = c;
  const id = webhookEventId('call', [pageId, callId, event, at, psid, direction, callStatus, terminateStatus, durationSec, null]);
  return { kind: 'call', id, at, pageId, psid, callId, event, direction, callStatus, terminateStatus, durationSec };
};

const reply = (pageId: string, psid: string, at: number, response: 'approve' | 'reject', expiresAt: number | null): WebhookEvent => ({
  kind: 'permission_reply', id: webhookEventId('permission_reply', [pageId, psid, at, response, expiresAt]),
  at, thread: { pageId, psid }, response, expiresAt,
});

const inbound = (pageId: string, psid: string, at: number, mid: string): WebhookEvent => ({
  kind: 'inbound_message', id: webhookEventId('inbound_message', [pageId, psid, at, mid]), at, thread: { pageId, psid },
});

/** Call traces (from `ingest` of `calls` items) and inbox slots (from `inbox.put`), read back from the store. */
async function docs(): Promise<CorpusDoc[]> {
  let now = 0;
  const inner = memoryStore();
  const writes = new Map<string, DocWrite>();
  const store: PermissionStore = {
    ...inner,
    putDoc: async (kind, key, expected, value, write) => {
      const written = await inner.putDoc(kind, key, expected, value, write);
      if (written.ok) writes.set(`${kind} ${key}`, write);
      return written;
    },
  };
  const graph: GraphApi = {
    checkPermission: () => Promise.reject(new Error('the corpus generator makes no Graph calls')),
    sendPermissionRequest: () => Promise.reject(new Error('the corpus generator makes no Graph calls')),
  };
  const service = createCallPermissions({ graph, store, clock: { now: () => now } });
  const at = async (instant: number, work: () => Promise<unknown>): Promise<void> => {
    now = instant;
    await work();
  };
  const keys: [DocKind, string][] = [];

  // A user-initiated call, connected 95 s: the trace is written twice (version 2), and implies a grant.
  const connected = { pageId: PAGE, callId: 'c_corpus_connected' };
  await at(B - 12 * MIN + 1500, () => service.ingest([callItem({
    ...connected, event: 'connect', at: B - 12 * MIN, psid: '2345678901234581', direction: 'user_initiated',
  })]));
  await at(B - 10 * MIN + 1500, () => service.ingest([
    callItem({ ...connected, event: 'terminate', at: B - 10 * MIN, terminateStatus: 'completed', durationSec: 95 }),
    callItem({ ...connected, event: 'media_update', at: B - 10 * MIN }), // says nothing: writes nothing
  ]));
  keys.push(['call', callTraceKey(connected.pageId, connected.callId)]);

  // A business-initiated call the person accepted, on the non-numeric thread: three writes (version 3).
  const accepted = { pageId: ODD_THREAD.pageId, callId: 'c_corpus_accepted' };
  await at(B - 9 * MIN + 1500, () => service.ingest([callItem({
    ...accepted, event: 'connect', at: B - 9 * MIN, psid: ODD_THREAD.psid, direction: 'business_initiated',
  })]));
  await at(B - 9 * MIN + 5500, () => service.ingest([callItem({
    ...accepted, event: 'call_status', at: B - 9 * MIN + 4 * SEC, psid: ODD_THREAD.psid, callStatus: 'accepted',
  })]));
  await at(B - 8 * MIN + 1500, () => service.ingest([callItem({
    ...accepted, event: 'terminate', at: B - 8 * MIN, terminateStatus: 'completed', durationSec: 56,
  })]));
  keys.push(['call', callTraceKey(accepted.pageId, accepted.callId)]);

  // A missed consumer call (no duration), both items in one delivery (version 2).
  const missed = { pageId: PAGE, callId: 'c_corpus_missed' };
  await at(B - 7 * MIN + 21 * SEC, () => service.ingest([
    callItem({ ...missed, event: 'connect', at: B - 7 * MIN, psid: '2345678901234582', direction: 'user_initiated' }),
    callItem({ ...missed, event: 'terminate', at: B - 7 * MIN + 20 * SEC, terminateStatus: 'failed' }),
  ]));
  keys.push(['call', callTraceKey(missed.pageId, missed.callId)]);

  // A terminate whose connect never came: the trace does not know the person (version 1).
  const orphan = { pageId: PAGE, callId: 'c_corpus_orphan' };
  await at(B - 6 * MIN + 1500, () => service.ingest([callItem({
    ...orphan, event: 'terminate', at: B - 6 * MIN, terminateStatus: 'completed', durationSec: 12,
  })]));
  keys.push(['call', callTraceKey(orphan.pageId, orphan.callId)]);

  // Inbox slots: one per delivery recorded and not yet marked done.
  const put = async (instant: number, events: WebhookEvent[]): Promise<void> => {
    now = instant;
    keys.push(['inbox', (await service.inbox.put(events)).key]);
  };
  await put(B - 5 * MIN, [
    reply(PAGE, '2345678901234572', B - 5 * MIN - 2 * SEC, 'approve', B + 7 * DAY - 5 * MIN),
    inbound(PAGE, '2345678901234572', B - 5 * MIN - MIN, 'm_AbC-123'),
  ]);
  await put(B - 4 * MIN, [reply(PAGE, '2345678901234575', B - 4 * MIN - SEC, 'reject', null)]);
  await put(B - 3 * MIN, [
    callItem({ pageId: PAGE, callId: 'c_corpus_inbox', event: 'connect', at: B - 3 * MIN - 3 * SEC, psid: '2345678901234583', direction: 'user_initiated' }),
    {
      kind: 'implicit_grant',
      id: webhookEventId('implicit_grant', [PAGE, '2345678901234583', 'c_corpus_inbox', B - 3 * MIN - 2 * SEC, 'connected_call']),
      at: B - 3 * MIN - 2 * SEC, thread: { pageId: PAGE, psid: '2345678901234583' }, cause: 'connected_call',
    },
  ]);
  await put(B - 2 * MIN, [inbound(ODD_THREAD.pageId, ODD_THREAD.psid, B - 2 * MIN - 5 * SEC, 'm_é✓')]);

  const out: CorpusDoc[] = [];
  for (const [kind, key] of keys) {
    const doc = await store.getDoc(kind, key);
    const write = writes.get(`${kind} ${key}`);
    ok(doc !== null && write !== undefined, `no ${kind} document ${key}`);
    equal(doc.dueAt, write.dueAt);
    ok(write.expiresAt === null || write.expiresAt > WRITE_NOW, 'documents are written to the drivers before they expire');
    out.push({ kind, key, version: doc.version, value: doc.value, dueAt: write.dueAt, expiresAt: write.expiresAt });
  }
  await store.close();
  return out;
}

// ---------------------------------------------------------------------------
// dedupe.json
// ---------------------------------------------------------------------------

/** Remembered event ids: real id shapes, and one with every character a driver might encode. */
function dedupe(): CorpusDedupe[] {
  const entries: CorpusDedupe[] = [
    { id: webhookEventId('permission_reply', [PAGE, '2345678901234572', B - 2 * HOUR, 'approve', B + 7 * DAY]), now: B - HOUR, until: B + HOUR },
    { id: webhookEventId('inbound_message', [PAGE, '2345678901234572', B - 31 * MIN, 'm_AbC-123']), now: B - 30 * MIN, until: B + 90 * MIN },
    {
      id: webhookEventId('call', [PAGE, 'c_corpus_connected', 'terminate', B - 10 * MIN, null, null, null, 'completed', 95, null]),
      now: B - MIN, until: B + 2 * HOUR - MIN,
    },
    { id: 'évènement:{x}:✓ 1', now: B, until: B + 7 * DAY },
  ];
  const latest = Math.max(...entries.map((e) => e.now));
  ok(entries.every((e) => e.until > latest), 'every id is still remembered at the latest now (pruning must not drop one)');
  return entries;
}

// ---------------------------------------------------------------------------
// writing and reading back a store
// ---------------------------------------------------------------------------

interface Corpus {
  readonly threads: readonly CorpusThread[];
  readonly docs: readonly CorpusDoc[];
  readonly dedupe: readonly CorpusDedupe[];
}

/** Writes the corpus into a store as 0.1.0 does: each thread and document written `version` times, each id remembered. */
async function fill(store: PermissionStore, corpus: Corpus): Promise<void> {
  for (const t of corpus.threads) {
    for (let v = 0; v < t.version; v += 1) deepStrictEqual(await store.compareAndSet(t.thread, v, asRecord(t.record)), { ok: true, version: v + 1 });
  }
  for (const d of corpus.docs) {
    const write = { now: WRITE_NOW, dueAt: d.dueAt, expiresAt: d.expiresAt };
    for (let v = 0; v < d.version; v += 1) deepStrictEqual(await store.putDoc(d.kind, d.key, v, d.value, write), { ok: true, version: v + 1 });
  }
  for (const e of corpus.dedupe) equal(await store.remember(e.id, e.now, e.until), true);
}

/** Reads the corpus back through a store. */
async function check(store: PermissionStore, corpus: Corpus, what: string): Promise<void> {
  for (const t of corpus.threads) deepStrictEqual(await store.get(t.thread), { version: t.version, record: t.record }, `${what}: ${t.label}`);
  for (const d of corpus.docs) deepStrictEqual(await store.getDoc(d.kind, d.key), { version: d.version, value: d.value, dueAt: d.dueAt }, `${what}: ${d.key}`);
  for (const e of corpus.dedupe) equal(await store.remember(e.id, e.now, e.until), false, `${what}: ${e.id}`);
}

// ---------------------------------------------------------------------------
// callperm-v1.sqlite
// ---------------------------------------------------------------------------

/** The SQLite file 0.1.0's sqliteStore writes, closed so that the one file holds everything. */
async function sqliteFile(corpus: Corpus): Promise<void> {
  const target = join(here, 'callperm-v1.sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'callperm-corpus-'));
  try {
    const file = join(dir, 'callperm-v1.sqlite');
    const store = await sqliteStore({ filename: file });
    await fill(store, corpus);
    await store.close();
    if (existsSync(`${file}-wal`) || existsSync(`${file}-shm`)) {
      const db = new Database(file);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('journal_mode = DELETE');
      db.close();
    }
    ok(!existsSync(`${file}-wal`) && !existsSync(`${file}-shm`), 'the SQLite file must stand alone');
    copyFileSync(file, target);
    // Read back from a copy, so the corpus file is never opened for writing.
    const copy = join(dir, 'check.sqlite');
    copyFileSync(target, copy);
    const reread = await sqliteStore({ filename: copy });
    await check(reread, corpus, 'sqlite');
    await reread.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// postgres.sql
// ---------------------------------------------------------------------------

/** The integer and bigint columns of the store's tables (pg returns a bigint as text). */
const NUMERIC = new Set(['version', 'due_at', 'expires_at', 'until']);

/** A column value as an SQL literal (text quoted for standard_conforming_strings). */
const sqlValue = (column: string, v: unknown): string => {
  if (v === null) return 'NULL';
  if (NUMERIC.has(column)) {
    const n = typeof v === 'number' || typeof v === 'string' ? String(v) : '';
    ok(/^-?[0-9]+$/.test(n), `${column} is not an integer`);
    return n;
  }
  ok(typeof v === 'string' && !v.includes('\u0000'), `${column} is not text`);
  return `'${v.replaceAll("'", "''")}'`;
};

/** `INSERT` of every row of a table, ordered by its key; the `fixed` columns get fixed values instead of the stored ones. */
const inserts = async (pool: pg.Pool, table: string, columns: readonly string[], order: string, fixed: Record<string, string>): Promise<string> => {
  const { rows } = await pool.query<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`);
  const values = rows.map((r) => `  (${columns.map((c) => sqlValue(c, c in fixed ? fixed[c] : r[c])).join(', ')})`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES\n${values.join(',\n')};\n`;
};

/** What 0.1.0's migrations create, as `migratePostgres` runs it (the migrations table's DDL is copied from it). */
const schemaDdl = (t: PostgresTables): string => [
  `CREATE SCHEMA ${t.schema};`,
  `CREATE TABLE IF NOT EXISTS ${t.migrations} (
        version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`,
  ...POSTGRES_MIGRATIONS.map((m, i) => `-- migration ${i + 1}${m(t)}`),
  '',
].join('\n');

/** A dump of a schema (`pg_dump --schema-only`) with its name replaced, for comparing two schemas' DDL. */
const dumpDdl = (schema: string): string | null => {
  try {
    execFileSync('pg_dump', ['--version']);
  } catch {
    console.warn('pg_dump is not installed: the replayed DDL is not compared with the migrated one');
    return null;
  }
  const dump = execFileSync('pg_dump', ['--schema-only', `--schema=${schema}`, `--dbname=${DATABASE_URL}`], { encoding: 'utf8' });
  return dump.split('\n').filter((l) => !/^(--|SET |SELECT pg_catalog.set_config|\\(un)?restrict )/.test(l)).join('\n')
    .replaceAll(schema, SCHEMA_PLACEHOLDER);
};

/** Everything 0.1.0's postgresStore stores, as SQL replayable into a fresh schema named `__SCHEMA__`. */
async function postgresSql(corpus: Corpus): Promise<void> {
  const schema = `callperm_corpus_gen_${process.pid}`;
  const replay = `${schema}_replay`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  try {
    const store = await postgresStore({ pool }, { schema });
    await fill(store, corpus);
    await store.close();
    const t = postgresTables(schema);
    const fixed = { updated_at: PG_TIMESTAMP, applied_at: PG_TIMESTAMP };
    const tables = (s: PostgresTables) => [
      { table: s.migrations, columns: ['version', 'applied_at'], order: 'version' },
      { table: s.threads, columns: ['page_id', 'psid', 'version', 'record', 'due_at', 'updated_at'], order: 'page_id COLLATE "C", psid COLLATE "C"' },
      { table: s.dedupe, columns: ['event_id', 'until'], order: 'event_id COLLATE "C"' },
      { table: s.docs, columns: ['kind', 'key', 'version', 'value', 'due_at', 'expires_at', 'updated_at'], order: 'kind COLLATE "C", key COLLATE "C"' },
    ];
    const rowInserts: string[] = [];
    for (const { table, columns, order } of tables(t)) rowInserts.push(await inserts(pool, table, columns, order, fixed));
    const body = [schemaDdl(t), ...rowInserts].join('\n');
    const sql = [
      '-- callperm storage corpus, format v1: what release 0.1.0\'s postgresStore stores (see README.md).',
      `-- Replay into a fresh schema: replace ${SCHEMA_PLACEHOLDER} with its name. Never edit this file.`,
      'BEGIN;',
      "SET LOCAL client_encoding = 'UTF8';",
      'SET LOCAL standard_conforming_strings = on;',
      body.replaceAll(`"${schema}"`, `"${SCHEMA_PLACEHOLDER}"`),
      'COMMIT;',
      '',
    ].join('\n');
    ok(!sql.includes(schema), 'the schema name is left in postgres.sql');
    writeFileSync(join(here, 'postgres.sql'), sql);

    // Replay into another schema: the same DDL, the same rows, and the store reads the corpus back.
    await pool.query(sql.replaceAll(SCHEMA_PLACEHOLDER, replay));
    deepStrictEqual(dumpDdl(replay), dumpDdl(schema), 'the replayed DDL differs from the migrated one');
    const replayed = tables(postgresTables(replay));
    for (const [i, { table, columns, order }] of tables(t).entries()) {
      const kept = columns.filter((c) => !(c in fixed)).join(', ');
      const rows = async (from: string): Promise<Record<string, unknown>[]> =>
        (await pool.query<Record<string, unknown>>(`SELECT ${kept} FROM ${from} ORDER BY ${order}`)).rows;
      deepStrictEqual(await rows(replayed[i]!.table), await rows(table), `the replayed ${table} differs`);
    }
    const reread = await postgresStore({ pool }, { schema: replay });
    await check(reread, corpus, 'postgres');
    await reread.close();
  } finally {
    for (const s of [schema, replay]) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  }
}

// ---------------------------------------------------------------------------
// redis.json
// ---------------------------------------------------------------------------

/** Every key of a prefix as the commands that recreate it (TTLs left out), the prefix replaced by `__PREFIX__`, sorted. */
const dumpRedis = async (client: Redis, prefix: string, pattern: string): Promise<RedisCommand[]> => {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const k of found) keys.add(k);
    cursor = next;
  } while (cursor !== '0');
  const commands: RedisCommand[] = [];
  for (const key of keys) {
    ok(/^[:}]/.test(key.slice(prefix.length + 1)) && key.startsWith(`{${prefix}`), `unexpected key ${key}`);
    const portable = `{${PREFIX_PLACEHOLDER}${key.slice(prefix.length + 1)}`;
    const type = await client.type(key);
    let args: string[];
    if (type === 'hash') {
      args = Object.entries(await client.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : 1)).flat();
      commands.push(['HSET', portable, ...args]);
    } else if (type === 'zset') {
      const flat = await client.zrange(key, 0, -1, 'WITHSCORES');
      const pairs: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i + 1]!, flat[i]!]);
      args = pairs.sort(([, a], [, b]) => (a < b ? -1 : 1)).flat();
      commands.push(['ZADD', portable, ...args]);
    } else if (type === 'string') {
      args = [(await client.get(key)) ?? ''];
      commands.push(['SET', portable, ...args]);
    } else {
      throw new Error(`unexpected ${type} at ${key}`);
    }
    ok(args.every((a) => !a.includes(prefix)), `the prefix appears in a value of ${key}`);
  }
  return commands.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
};

/** Everything 0.1.0's redisStore (single node) stores, as commands replayable under any prefix. */
async function redisJson(corpus: Corpus): Promise<void> {
  const prefix = `corpusgen${process.pid}`;
  const replay = `${prefix}r`;
  const client = new Redis(REDIS_URL);
  const store = await redisStore({ client }, { keyPrefix: prefix });
  const reread = await redisStore({ client }, { keyPrefix: replay });
  try {
    await fill(store, corpus);
    const commands = await dumpRedis(client, prefix, store.keys.pattern);
    writeFileSync(join(here, 'redis.json'), `[\n${commands.map((c) => `  ${JSON.stringify(c)}`).join(',\n')}\n]\n`);

    // Replay under another prefix: the same keys and values, and the store reads the corpus back.
    for (const [name, key, ...rest] of commands) await client.call(name, `{${replay}${key!.slice(PREFIX_PLACEHOLDER.length + 1)}`, ...rest);
    deepStrictEqual(await dumpRedis(client, replay, reread.keys.pattern), commands, 'the replayed keys differ');
    await check(reread, corpus, 'redis');
  } finally {
    await deleteRedisKeys(client, store.keys.pattern);
    await deleteRedisKeys(client, reread.keys.pattern);
    await client.quit();
  }
}

// ---------------------------------------------------------------------------

const writeJson = (name: string, value: unknown): void => writeFileSync(join(here, name), `${JSON.stringify(value, null, 2)}\n`);

const corpus: Corpus = { threads: threads(), docs: await docs(), dedupe: dedupe() };
writeJson('threads.json', corpus.threads);
writeJson('docs.json', corpus.docs);
writeJson('dedupe.json', corpus.dedupe);
await sqliteFile(corpus);
await postgresSql(corpus);
await redisJson(corpus);
for (const name of ['threads.json', 'docs.json', 'dedupe.json', 'callperm-v1.sqlite', 'postgres.sql', 'redis.json']) {
  console.log(`${name}: ${statSync(join(here, name)).size} bytes`);
}
