import { join } from 'node:path';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import type { WebhookEvent } from '@callperm/core';
import { encodeJson, inboxFormat } from '@callperm/core/store';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/CliError.js';
import { cli, scratchDir } from '../support/captureIo.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

const T0 = Date.now() - 60_000; // replay runs on the system clock: a recent reply
const thread = { pageId: '111', psid: '222' };
const reply: WebhookEvent = { kind: 'permission_reply', id: 'r:1', thread, at: T0, response: 'approve', expiresAt: null };

/** A SQLite store holding one delivery moved aside (`good`) and one that does not decode (`bad`). */
const seeded = async (name: string): Promise<string> => {
  const filename = join(scratch.dir, `${name}.sqlite`);
  const store = await sqliteStore({ filename });
  const entry = { ids: ['r:1'], events: [reply], receivedAt: T0, attempts: 8, lastError: 'store_down', movedAsideAt: T0 + 1 };
  await store.putDoc('inbox_aside', 'good', 0, encodeJson(inboxFormat, entry), { now: T0, dueAt: T0 + 1, expiresAt: null });
  await store.putDoc('inbox_aside', 'bad', 0, 'not json', { now: T0, dueAt: T0 + 2, expiresAt: null });
  await store.close();
  return `sqlite:${filename}`;
};

describe('callperm inbox', () => {
  it('list prints what was moved aside, oldest first, without the events', async () => {
    const spec = await seeded('list');
    const run = await cli(['inbox', 'list', '--store', spec]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { key: 'good', corrupt: false, ids: ['r:1'], receivedAt: T0, movedAsideAt: T0 + 1, attempts: 8, lastError: 'store_down' },
      { key: 'bad', corrupt: true, format: null },
    ]);
  });

  it('replay applies a delivery, deletes it, and needs no Page token; a second replay finds it gone', async () => {
    const spec = await seeded('replay');
    const run = await cli(['inbox', 'replay', 'good', '--store', spec]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ replayed: ['good'], missing: [], failed: [] });
    const store = await sqliteStore({ filename: spec.slice('sqlite:'.length) });
    try {
      expect((await store.get(thread))?.record.state).toBe('approved');
      expect(await store.getDoc('inbox_aside', 'good')).toBeNull();
    } finally {
      await store.close();
    }
    expect(JSON.parse((await cli(['inbox', 'replay', 'good', '--store', spec])).stdout)).toEqual({ replayed: [], missing: ['good'], failed: [] });
  });

  it('replay --all reports what did not apply by code, keeps it, and exits 1', async () => {
    const spec = await seeded('all');
    const run = await cli(['inbox', 'replay', '--all', '--store', spec]);
    expect(run.code).toBe(exitCodes.store);
    expect(JSON.parse(run.stdout)).toEqual({ replayed: ['good'], missing: [], failed: [{ key: 'bad', code: 'corrupt_doc' }] });
    expect(JSON.parse((await cli(['inbox', 'list', '--store', spec])).stdout)).toMatchObject([{ key: 'bad' }]);
  });

  it.each([
    [['inbox', 'replay', '--store', 'memory']],
    [['inbox', 'replay', 'k', '--all', '--store', 'memory']],
    [['inbox', 'list', '--store', 'memory', '--limit', '0']],
    [['inbox', 'list']],
  ])('refuses %j as a usage error', async (args) => {
    expect((await cli(args)).code).toBe(exitCodes.usage);
  });
});
