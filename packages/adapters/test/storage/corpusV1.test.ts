import { RECORD_SCHEMA, type DocKind, type PermissionStore } from '@callperm/core';
import { callTraceFormat, decodeJson, decodeRecord, inboxFormat, upgradeRecord } from '@callperm/core/store';
import { Redis } from 'ioredis';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postgresStore } from '@callperm/adapters/storage/postgres';
import { redisStore, type RedisStore } from '@callperm/adapters/storage/redis';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { deleteRedisKeys } from '../../src/storage/redis/deleteRedisKeys.js';
import { corpusV1, packedString, type CorpusDedupe, type CorpusDoc, type CorpusThread } from './corpus/corpusV1.js';
import { DATABASE_URL, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable } from './servers.js';

/**
 * The format-v1 corpus (what release 0.1.0 stored, see corpus/v1/README.md),
 * read through every driver: each must keep reading what an earlier release
 * wrote, for as long as the project lives. The corpus files are never edited.
 */
const threads = corpusV1.threads();
const docs = corpusV1.docs();
const dedupe = corpusV1.dedupe();
const [redisUp, postgresUp] = await Promise.all([serverReachable('redis'), serverReachable('postgres')]);

/**
 * A thread of the corpus reads back at its version, its record upgraded to the
 * newest format (each step of the chain is tested on its own in core); it has no
 * history yet; the next write stores the newest format and reads back as written.
 */
const expectThread = async (store: PermissionStore, entry: CorpusThread): Promise<void> => {
  const upgraded = upgradeRecord(entry.record);
  expect(upgraded.schema).toBe(RECORD_SCHEMA);
  expect(await store.get(entry.thread), entry.label).toEqual({ version: entry.version, record: upgraded });
  expect(await store.history(entry.thread), entry.label).toEqual([]);
  expect(await store.compareAndSet(entry.thread, entry.version, upgraded), entry.label).toEqual({ ok: true, version: entry.version + 1 });
  expect(await store.get(entry.thread), entry.label).toEqual({ version: entry.version + 1, record: upgraded });
};

/** A side document of the corpus reads back at its version, with its text and due instant, and its format reads. */
const expectDoc = async (store: PermissionStore, entry: CorpusDoc): Promise<void> => {
  expect(await store.getDoc(entry.kind, entry.key), `${entry.kind} ${entry.key}`).toEqual({
    version: entry.version, value: entry.value, dueAt: entry.dueAt,
  });
  const read = entry.kind === 'call' ? decodeJson(callTraceFormat, entry.value, false) : decodeJson(inboxFormat, entry.value, false);
  // Inbox format 3 reads a delivery stored before as never tried, in the inbox (the step is tested in core).
  const added = entry.kind === 'inbox' ? { attempts: 0, lastError: null, movedAsideAt: null } : {};
  expect(read, `${entry.kind} ${entry.key}`).toEqual({ ...JSON.parse(entry.value), ...added });
};

/** A remembered id of the corpus is still remembered (a duplicate) at the instant it was remembered. */
const expectRemembered = async (store: PermissionStore, entry: CorpusDedupe): Promise<void> => {
  expect(await store.remember(entry.id, entry.now, entry.until), entry.id).toBe(false);
};

const byDueAt = <T>(items: readonly T[], dueAt: (item: T) => number | null): T[] =>
  items.filter((i) => dueAt(i) !== null).sort((a, b) => dueAt(a)! - dueAt(b)!);

/** The due indexes came along: every due thread and document, earliest first. */
const expectDueIndexes = async (store: PermissionStore): Promise<void> => {
  expect(await store.due(Number.MAX_SAFE_INTEGER, 1000)).toEqual(byDueAt(threads, (t) => t.record.dueAt).map((t) => t.thread));
  for (const kind of ['call', 'inbox'] as const satisfies readonly DocKind[]) {
    const expected = byDueAt(docs.filter((d) => d.kind === kind), (d) => d.dueAt).map((d) => d.key);
    expect(await store.dueDocs(kind, Number.MAX_SAFE_INTEGER, 1000), kind).toEqual(expected);
  }
};

/** The whole corpus, through one store (the due indexes before the threads are rewritten). */
const expectCorpus = async (store: PermissionStore): Promise<void> => {
  await expectDueIndexes(store);
  for (const entry of docs) await expectDoc(store, entry);
  for (const entry of dedupe) await expectRemembered(store, entry);
  for (const entry of threads) await expectThread(store, entry);
};

// The memory store's slab layout (`packedWithVersion`) is not read back: nothing of the memory store outlives its process.
describe('corpus v1: packed records (the SQLite BLOB) read as the newest format', () => {
  test.each(threads)('$label', (entry) => {
    const bytes = Uint8Array.from(packedString(entry.packed), (c) => c.charCodeAt(0));
    expect(decodeRecord(bytes)).toEqual(upgradeRecord(entry.record));
  });
});

describe('corpus v1: sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callperm-corpus-v1-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a copy of the 0.1.0 file reads back whole', async () => {
    const file = join(dir, 'callperm-v1.sqlite'); // the committed file is never opened for writing
    copyFileSync(corpusV1.sqliteFile, file);
    const store = await sqliteStore({ filename: file });
    try {
      await expectCorpus(store);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!postgresUp)('corpus v1: postgres', () => {
  let pool: pg.Pool;
  let schema = '';
  beforeAll(async () => {
    // Leftovers of runs that died before their cleanup; a concurrent run's schema is younger, and kept.
    await removeStalePostgresSchemas('callperm_corpus');
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    schema = `callperm_corpus_${runTag()}`;
  });
  afterAll(async () => {
    if (schema !== '') await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  test('postgres.sql replayed into a fresh schema reads back whole', async () => {
    await pool.query(corpusV1.postgresSql(schema));
    const store = await postgresStore({ pool }, { schema });
    try {
      await expectCorpus(store);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!redisUp)('corpus v1: redis', () => {
  let client: Redis;
  let store: RedisStore | undefined;
  beforeAll(async () => {
    client = new Redis(REDIS_URL);
    await removeStaleRedisKeys('cpcorpus', { client });
  });
  afterAll(async () => {
    if (store !== undefined) await deleteRedisKeys(client, store.keys.pattern);
    await client.quit();
  });

  test('redis.json replayed under a fresh prefix reads back whole', async () => {
    const keyPrefix = `cpcorpus-${runTag()}`;
    store = await redisStore({ client }, { keyPrefix });
    for (const [name, ...args] of corpusV1.redisCommands(keyPrefix)) await client.call(name, ...args);
    await expectCorpus(store);
  });
});
