import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CallPermissions } from '@callperm/core';
import { pageWebhook, permissionReplyEntry, postWebhook } from '@callperm/testing';
import { afterAll, describe, expect, it } from 'vitest';

const doc = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
const block = /<!-- webhook-example:begin -->\n```ts\n([\s\S]*?)```\n<!-- webhook-example:end -->/.exec(doc)?.[1];

const SECRET = 'readme-app-secret';
const TOKEN = 'readme-verify-token';
const dir = mkdtempSync(join(tmpdir(), 'callperm-readme-'));
const generated = fileURLToPath(new URL('./.generated/', import.meta.url));
const saved = { ...process.env };

afterAll(() => {
  process.env = saved;
  rmSync(generated, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('the README webhook example', () => {
  it('runs verbatim as a node:http host: handshake, a signed reply applied, an unsigned one refused', async () => {
    expect(block).toBeDefined();
    mkdirSync(generated, { recursive: true });
    const file = join(generated, 'webhook-example.ts');
    writeFileSync(file, block!);
    Object.assign(process.env, {
      PAGE_ACCESS_TOKEN: 'page-token', META_APP_SECRET: SECRET, META_VERIFY_TOKEN: TOKEN,
      PORT: '0', CALLPERM_DB: join(dir, 'readme.sqlite'),
    });
    const mod = await import(pathToFileURL(file).href) as { server: Server; permissions: CallPermissions };
    rmSync(generated, { recursive: true, force: true }); // the example is in memory now; keep the tree clean
    const { server, permissions } = mod;
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    try {
      const hello = await fetch(`${base}?hub.mode=subscribe&hub.verify_token=${TOKEN}&hub.challenge=1158201444`);
      expect(hello.status).toBe(200);
      expect(await hello.text()).toBe('1158201444');
      expect((await fetch(`${base}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);

      const at = Math.floor(Date.now() / 1000) * 1000; // the example runs on the system clock
      const body = pageWebhook([permissionReplyEntry({ pageId: '1234', psid: '5678', at, response: 'approve', expiresAt: at + 7 * 86_400_000 })]);
      expect((await postWebhook(base, SECRET, body)).status).toBe(200);
      const status = await permissions.status({ pageId: '1234', psid: '5678' });
      expect(status).toMatchObject({ state: 'approved', expiresAt: at + 7 * 86_400_000 });

      const unsigned = await postWebhook(base, null, body);
      expect(unsigned.status).toBe(401);
      expect(JSON.parse(unsigned.status === 'network_error' ? '{}' : unsigned.body)).toEqual({ reason: 'missing_signature' });
      expect((await postWebhook(`${base.replace('/webhook', '/other')}`, SECRET, body)).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
