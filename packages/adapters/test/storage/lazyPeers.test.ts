import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { MissingPeerError } from '@callperm/adapters';
import { loadPeer } from '../../src/storage/shared/loadPeer.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../..', import.meta.url));

describe('optional peers load lazily', () => {
  test('a missing peer package becomes MissingPeerError naming it', async () => {
    const missing = 'ioredis-callperm-not-installed';
    const error: unknown = await loadPeer('ioredis', 'redis', () => import(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerError);
    expect(error).toMatchObject({ code: 'missing_peer', peer: 'ioredis', driver: 'redis' });
  });

  test('other load failures are rethrown as they are', async () => {
    const broken = new Error('the native module was built for another Node version');
    await expect(loadPeer('better-sqlite3', 'sqlite', () => Promise.reject(broken))).rejects.toBe(broken);
  });

  test('importing @callperm/adapters (the root) loads no database client', async () => {
    const probe = `
      import { createRequire } from 'node:module';
      await import('./packages/adapters/src/index.ts');
      const loaded = Object.keys(createRequire(import.meta.url).cache)
        .filter((f) => /[\\\\/](ioredis|pg|better-sqlite3)[\\\\/]/.test(f));
      console.log(JSON.stringify(loaded));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root });
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? 'null')).toEqual([]);
  });
});
