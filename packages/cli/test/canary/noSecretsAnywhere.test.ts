import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCallPermissions, type TransitionNotice } from '@callperm/core';
import { graphApi, type GraphLogEntry } from '@callperm/adapters/graph';
import { createWebhookHandler, type WebhookError } from '@callperm/adapters/webhook';
import {
  consumers, createConsumerSimulator, createFakeGraphApi, fakeMetaErrors, signWebhook, VirtualClock, type FakeFault,
} from '@callperm/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { cli, scratchDir } from '../support/captureIo.js';
import { DATABASE_URL, removeStalePostgresSchemas, runTag, serverReachable } from '../support/reachable.js';
import { CANARY, errorTexts, expectNoCanary, safeJson } from './support/canaryScan.js';
import { dumpPostgres } from './support/storeDumps.js';

/** Distinct, unguessable canaries (see `CANARY`): none of them may come out anywhere, in any encoding. */
const { pageToken: TOKEN, plainToken: PLAIN_TOKEN, appSecret: SECRET, password: PASSWORD } = CANARY;
const schema = `canary_${runTag()}`;

/** The PostgreSQL URL with the canary password in the user info and in the query string (local trust auth ignores it). */
const storeUrl = (namespace: string): string => {
  const url = new URL(DATABASE_URL);
  url.password = PASSWORD;
  url.searchParams.set('password', PASSWORD);
  url.hash = '';
  return `${url.toString()}#${namespace}`;
};

/** Every table of the canary schemas, row by row: records, documents, inbox, history. */
const dumpSchemas = async (prefix: string): Promise<string> => (await dumpPostgres(prefix)).text;

const dropSchemas = async (prefix: string): Promise<void> => {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const found = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`]);
    for (const r of found.rows) await client.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
  } finally {
    await client.end();
  }
};

/** Faults that make Meta echo the canaries back, throttle, fail and reset. */
const echoingFaults = (token: string): FakeFault[] => [
  { kind: 'error', status: 400, body: { error: { message: `Malformed access token ${token}`, type: 'OAuthException', code: 190, error_user_msg: `secret ${SECRET}`, error_data: { token, SECRET, list: [token, SECRET] } } } },
  { kind: 'error', status: 500, body: { error: { message: `(#1) ${SECRET} ${token}`, type: 'OAuthException', code: 1, is_transient: true } } },
  { kind: 'status', status: 502, body: `<html>${token} ${SECRET} ${PASSWORD}</html>` },
  { kind: 'error', body: fakeMetaErrors.messengerThrottled },
  { kind: 'reset' },
  { kind: 'malformed' },
];

const scratch = scratchDir();
const reachable = await serverReachable('postgres');
// Schemas a killed run of this file left behind (`canary_<creation time>_<tag>...`, over an hour old).
if (reachable) await removeStalePostgresSchemas('canary');
afterAll(async () => {
  scratch.cleanup();
  if (reachable) await dropSchemas(schema);
});

describe.runIf(reachable)('canary: no token, app secret or store password comes out anywhere', () => {
  it('the service against a throttling, failing fake Meta, with forged and good webhooks, on a password-protected store', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1, 9));
    const fake = await createFakeGraphApi({ clock, appSecret: SECRET, accessTokens: { 501: TOKEN, 502: PLAIN_TOKEN } });
    const logs: GraphLogEntry[] = [];
    const webhookErrors: WebhookError[] = [];
    const notices: TransitionNotice[] = [];
    const outputs: string[] = [];
    const tokenOf = (pageId: string): string => (pageId === '501' ? TOKEN : PLAIN_TOKEN);
    const graph = graphApi({
      accessToken: tokenOf, appSecret: SECRET, baseUrl: fake.url, clock,
      timeouts: { response: 200 }, retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 2 }, log: (e) => logs.push(e),
    });
    const opened = await openStore(parseStoreSpec(storeUrl(schema), scratch.dir));
    outputs.push(opened.label);
    const permissions = createCallPermissions({ graph, store: opened.store, clock, onTransition: (n) => notices.push(n) });
    const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: `verify_${SECRET}`, permissions, onError: (e) => webhookErrors.push(e) });
    const server = createServer(webhook.node);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    const sim = createConsumerSimulator({ fake, hostUrl, appSecret: SECRET, behaviour: consumers.approveAfter(30_000) });
    try {
      const threads = ['1001', '1002', '2001', '2002'].map((psid, i) => ({ pageId: i % 2 === 0 ? '501' : '502', psid }));
      for (const t of threads) sim.message(t);
      await sim.settle();
      for (const [i, t] of threads.entries()) {
        const faults = echoingFaults(tokenOf(t.pageId));
        fake.inject(i % 2 === 0 ? 'send' : 'check', faults[i % faults.length]!, faults[(i + 1) % faults.length]!);
        const sent = await permissions.request(t);
        outputs.push(safeJson(sent), ...(sent.ok || !('failure' in sent.error) ? [] : errorTexts(sent.error.failure)));
        const refreshed = await permissions.refresh(t);
        outputs.push(safeJson(refreshed), ...(refreshed.ok ? [] : errorTexts((refreshed.error as { failure?: unknown }).failure)));
      }
      clock.advance(30_000);
      await sim.settle();
      // Forged deliveries: unsigned, signed with another secret, a "signature" that is the secret, a body quoting it.
      const body = JSON.stringify({ object: 'page', entry: [{ id: '501', time: clock.now(), messaging: [{ sender: { id: SECRET }, recipient: { id: '501' }, timestamp: clock.now(), message: { mid: PASSWORD, text: TOKEN } }] }] });
      for (const signature of [undefined, signWebhook('not-the-secret', body), `sha256=${SECRET}`, `sha1=${SECRET}`, 'sha256=zz']) {
        const r = await fetch(hostUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) } });
        outputs.push(String(r.status), JSON.stringify([...r.headers]), await r.text());
      }
      const hello = await fetch(`${hostUrl}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=${encodeURIComponent(SECRET)}`);
      outputs.push(String(hello.status), await hello.text());
      for (const f of echoingFaults(TOKEN)) fake.inject('batch', f);
      clock.advance('P1D');
      const swept = await permissions.sweep({ onError: (_t, e) => outputs.push(...errorTexts(e)), onInboxError: (_k, e) => outputs.push(...errorTexts(e)) });
      outputs.push(safeJson(swept));
      for (const item of await graph.checkMany(threads)) outputs.push(safeJson(item), ...(item.result.ok ? [] : errorTexts(item.result.error)));
      for (const t of threads) {
        outputs.push(safeJson(await permissions.status(t)), safeJson(await opened.store.get(t)), safeJson(await opened.store.history(t)));
      }
      await webhook.drain();
      expect(logs.some((l) => l.event === 'retry')).toBe(true); // the flow did go through failures and retries
      expectNoCanary('graph log', logs.map((l) => JSON.stringify(l)));
      expectNoCanary('webhook onError', webhookErrors.flatMap((e) => errorTexts(e)));
      expectNoCanary('transition notices', notices.map((n) => safeJson(n)));
      expectNoCanary('results, failures and answers', outputs);
      expectNoCanary('stored data', [await dumpSchemas(schema)]);
    } finally {
      sim.close();
      await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
      await webhook.drain();
      graph.close();
      await opened.close();
      await fake.close();
    }
  });

  it('the CLI with the canary environment: check, request, simulate, a store that fails to open, a refused base URL', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const fake = await createFakeGraphApi({ clock, appSecret: SECRET, accessTokens: TOKEN });
    const env = { PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET: SECRET, GRAPH_BASE_URL: fake.url, VERIFY_TOKEN: SECRET };
    const texts: string[] = [];
    const run = async (args: string[], e: Record<string, string> = env): Promise<number> => {
      const r = await cli(args, { env: e, cwd: scratch.dir });
      texts.push(r.stdout, r.stderr);
      return r.code;
    };
    try {
      const store = storeUrl(`${schema}_cli`);
      fake.inbound({ pageId: '601', psid: '701' });
      for (const f of echoingFaults(TOKEN)) {
        fake.inject('check', f);
        await run(['check', '601', '701', '--store', store]);
        fake.inject('send', f);
        await run(['request', '601', '701', '--store', store]);
      }
      expect(await run(['check', '601', '701', '--store', store])).toBe(0);
      // A token the fake does not know: Meta's own 190.
      await run(['check', '601', '701', '--store', store], { ...env, PAGE_ACCESS_TOKEN: PLAIN_TOKEN });
      expect(await run(['check', '601', '701', '--store', store.replace(/:\d+\//, ':1/')])).not.toBe(0);
      expect(await run(['check', '601', '701'], { ...env, GRAPH_BASE_URL: `http://graph.example.com/${SECRET}` })).toBe(3);
      expect(await run(['check', '601', '701', '--store', `mysql://root:${PASSWORD}@db/app`])).toBe(2);
      const outDir = join(scratch.dir, 'sim');
      expect(await run(['simulate', '--threads', '30', '--days', '3', '--faults', 'meta', '--store', storeUrl(`${schema}_sim`), '--out-dir', outDir, '--no-progress'])).toBe(0);
      for (const file of readdirSync(outDir)) texts.push(readFileSync(join(outDir, file), 'latin1'));
      expectNoCanary('CLI stdout, stderr and reports', texts);
      expectNoCanary('stored data', [await dumpSchemas(`${schema}_`)]);
    } finally {
      await fake.close();
    }
  });
});
