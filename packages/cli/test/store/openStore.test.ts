import { join } from 'node:path';
import { emptyRecord, type HistoryEntry, type Thread } from '@callperm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { scratchDir } from '../support/captureIo.js';
import { DATABASE_URL, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable } from '../support/reachable.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());
const tag = runTag();

const T0 = Date.UTC(2026, 0, 1);
const entry = (i: number): HistoryEntry => ({
  at: T0 + i, recordedAt: T0 + i,
  from: i % 2 === 0 ? 'none' : 'requested', to: i % 2 === 0 ? 'requested' : 'none',
  event: i % 2 === 0 ? 'REQUEST' : 'REQUEST_FAILED',
  source: { kind: 'opt_in', requestedAt: T0 + i, messageId: null },
  expiresAt: null, provisional: false, reason: i % 2 === 0 ? 'pending_reply' : 'no_permission',
});

/** What `chart --thread` relies on: a store opened from a spec keeps each thread's history, apart from other threads, across opens. */
const keepsHistory = (spec: string): void => {
  it('keeps each thread\'s history across opens, apart from other threads', async () => {
    const a: Thread = { pageId: '1', psid: '1' };
    const b: Thread = { ...a, psid: '2' };
    const writer = await openStore(parseStoreSpec(spec, scratch.dir));
    try {
      for (const [thread, entries] of [[a, [entry(0), entry(1), entry(2)]], [b, [entry(7)]]] as const) {
        const r = await writer.store.commitThread({ thread, expectedVersion: 0, record: emptyRecord(), eventIds: [], now: T0, until: T0, history: entries });
        expect(r.ok).toBe(true);
      }
    } finally {
      await writer.close();
    }
    const reader = await openStore(parseStoreSpec(spec, scratch.dir));
    try {
      expect((await reader.store.history(a)).map((e) => e.at)).toEqual([T0 + 2, T0 + 1, T0]);
      expect(await reader.store.history(b)).toEqual([entry(7)]);
      expect(await reader.store.history({ ...a, psid: '3' })).toEqual([]);
    } finally {
      await reader.close();
    }
  });
};

describe('a SQLite store opened from a spec', () => {
  keepsHistory('sqlite:stores/history.sqlite');
});

describe.runIf(await serverReachable('redis'))('a Redis store opened from a spec', () => {
  beforeAll(() => removeStaleRedisKeys('clitest'));
  keepsHistory(`${REDIS_URL}#clitest_${tag}`);
  afterAll(async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL);
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `{clitest_${tag}[:}]*` }) as AsyncIterable<string[]>) keys.push(...batch);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });
});

describe.runIf(await serverReachable('postgres'))('a PostgreSQL store opened from a spec', () => {
  beforeAll(() => removeStalePostgresSchemas('clitest'));
  keepsHistory(`${DATABASE_URL}#clitest_${tag}`);
  afterAll(async () => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS clitest_${tag} CASCADE`);
    await client.end();
  });
});

describe('opening a store that cannot be opened', () => {
  it('is a store error', async () => {
    await expect(openStore(parseStoreSpec('postgres://nobody@127.0.0.1:9/none', scratch.dir))).rejects.toMatchObject({ code: 'store' });
  });
});

describe('store specs', () => {
  it.each([
    ['memory', { kind: 'memory' }],
    ['sqlite:a/b.sqlite', { kind: 'sqlite', filename: join('/base', 'a/b.sqlite') }],
    ['sqlite:/abs.sqlite', { kind: 'sqlite', filename: '/abs.sqlite' }],
    ['redis://127.0.0.1:6379#sim', { kind: 'redis', url: 'redis://127.0.0.1:6379', namespace: 'sim' }],
    ['postgresql://u@h/db', { kind: 'postgres', connectionString: 'postgresql://u@h/db', namespace: null }],
  ])('%s parses', (spec, want) => {
    expect(parseStoreSpec(spec, '/base')).toEqual(want);
  });

  it.each([['sqlite:'], ['mysql://x'], ['']])('%j is refused with a usage error', (spec) => {
    expect(() => parseStoreSpec(spec, '/base')).toThrow(expect.objectContaining({ code: 'usage' }) as Error);
  });
});
