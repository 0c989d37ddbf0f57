import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Thread, TransitionNotice } from '@callperm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { DATABASE_URL, REDIS_URL, serverReachable } from '../support/reachable.js';
import { scratchDir } from '../support/captureIo.js';
import { memoryTransitionLog } from '../../src/history/memoryTransitionLog.js';
import type { TransitionLog } from '../../src/history/TransitionLog.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());
const tag = randomBytes(4).toString('hex');

const notice = (thread: Thread, i: number): TransitionNotice => ({
  thread, from: i % 2 === 0 ? 'none' : 'requested', to: i % 2 === 0 ? 'requested' : 'none', event: i % 2 === 0 ? 'REQUEST' : 'REQUEST_FAILED', at: 1_000 + i, reason: null,
});

const contract = (log: () => Promise<{ log: TransitionLog; close: () => Promise<void> }>, limit: number): void => {
  it('keeps each thread\'s steps in order, apart from other threads', async () => {
    const { log: l, close } = await log();
    try {
      const a = { pageId: `p${tag}`, psid: 'a' };
      const b = { pageId: `p${tag}`, psid: 'b' };
      for (let i = 0; i < 3; i += 1) l.append(notice(a, i));
      l.append(notice(b, 7));
      await l.flush();
      expect((await l.read(a)).map((s) => s.at)).toEqual([1000, 1001, 1002]);
      expect((await l.read(b)).map((s) => s.event)).toEqual(['REQUEST_FAILED']);
      expect(await l.read({ pageId: `p${tag}`, psid: 'none' })).toEqual([]);
    } finally {
      await close();
    }
  });

  it(`keeps only the newest ${limit} steps of a thread`, async () => {
    const { log: l, close } = await log();
    try {
      const t = { pageId: `q${tag}`, psid: 'bounded' };
      for (let i = 0; i < limit + 25; i += 1) l.append(notice(t, i));
      await l.flush();
      const steps = await l.read(t);
      expect(steps).toHaveLength(limit);
      expect(steps[0]!.at).toBe(1000 + 25);
      expect(steps.at(-1)!.at).toBe(1000 + limit + 24);
    } finally {
      await close();
    }
  });
};

describe('memory transition log', () => {
  contract(() => Promise.resolve({ log: memoryTransitionLog(10), close: () => Promise.resolve() }), 10);
});

const opened = (spec: string) => async () => {
  const o = await openStore(parseStoreSpec(spec, scratch.dir));
  return { log: o.log, close: () => o.close() };
};

describe('sqlite transition log (in the store\'s file)', () => {
  contract(opened('sqlite:history.sqlite'), 100);
});

describe.runIf(await serverReachable('redis'))('redis transition log', () => {
  contract(opened(`${REDIS_URL}#clitest${tag}`), 100);
  afterAll(async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL);
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `{clitest${tag}[:}]*` }) as AsyncIterable<string[]>) keys.push(...batch);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });
});

describe.runIf(await serverReachable('postgres'))('postgres transition log', () => {
  contract(opened(`${DATABASE_URL}#clitest_${tag}`), 100);
  afterAll(async () => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS clitest_${tag} CASCADE`);
    await client.end();
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
