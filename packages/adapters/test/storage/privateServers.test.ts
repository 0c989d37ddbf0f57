import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { privateServerAvailable, removeStalePrivateServers, startPrivateRedis, type PrivateServer } from './privateServers.js';

const child = fileURLToPath(new URL('./privateServers.child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

const answers = async (url: string): Promise<boolean> => {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
};

describe.skipIf(!privateServerAvailable('redis'))('private servers', () => {
  let mine: PrivateServer | undefined;
  afterAll(async () => {
    await mine?.remove();
  });

  test('a killed run leaves its server and dir; the next run kills the one and removes the other, and keeps a live run\'s', async () => {
    mine = await startPrivateRedis();
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot });
    const { stdout } = await run.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' })); // it dies by SIGKILL
    const left = JSON.parse(stdout.trim()) as { dir: string; url: string };
    expect(existsSync(left.dir)).toBe(true);
    expect(await answers(left.url)).toBe(true);

    removeStalePrivateServers(); // (another suite starting now may have removed it first: hence no count asserted)
    expect(existsSync(left.dir)).toBe(false);
    let tries = 0;
    while ((await answers(left.url)) && tries < 100) {
      tries += 1;
      await delay(20);
    }
    expect(await answers(left.url)).toBe(false);
    expect(existsSync(mine.dir)).toBe(true); // this process is alive: its server is not stale
    expect(await answers(mine.url)).toBe(true);
  }, 60_000);
});
