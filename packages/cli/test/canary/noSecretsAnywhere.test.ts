import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCallPermissions, type TransitionNotice } from '@callperm/core';
import { graphApi, type GraphLogEntry } from '@callperm/adapters/graph';
import { createWebhookHandler, type WebhookError } from '@callperm/adapters/webhook';
import {
  consumers, createConsumerSimulator, createFakeGraphApi, fakeMetaErrors, pageWebhook, permissionReplyEntry, postWebhook, signWebhook, VirtualClock,
  type FakeFault,
} from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { cli, scratchDir } from '../support/captureIo.js';
import { DATABASE_URL, serverReachable } from '../support/reachable.js';
import { serveInProcess } from '../support/serveInProcess.js';
import { CANARY, errorTexts, expectNoCanary, safeJson } from './support/canaryScan.js';
import { canaryNamespaces, filesUnder, redisUrl, thrownBy } from './support/canaryWorld.js';
import { dumpPostgres, dumpRedis } from './support/storeDumps.js';

/**
 * Issue 14, item 6, end to end: the canary Page token, app secret, store password,
 * API token and verify token in the service's options and in the CLI's
 * environment and store URLs. The service runs against a fake Meta that echoes
 * them back, with forged webhooks; the CLI runs every command (check, request,
 * inbox, chart in every format and the HTML replay of a thread, inspect, simulate
 * and its reports, serve with its JSON API, webhooks, `/healthz` and `/metrics`)
 * on SQLite, Redis and PostgreSQL, with stores that fail to open, a token Meta
 * does not know and the app secret in the base URL. Scanned: results, failures
 * and logs, stdout and stderr, what drivers print to the console, the CliErrors
 * commands throw with their cause chains, every file written (SQLite with its
 * WAL, charts, reports) and the stored rows and keys. None may hold a canary in
 * any form.
 */
const [postgresUp, redisUp] = await Promise.all([serverReachable('postgres'), serverReachable('redis')]);
/** Distinct, unguessable canaries (see `CANARY`): none of them may come out anywhere, in any encoding. */
const { pageToken: TOKEN, plainToken: PLAIN_TOKEN, appSecret: SECRET, password: PASSWORD } = CANARY;
// This run's schemas and keys (`canary_<creation time>_<tag>...`); set-up removes those a killed run left (over an hour old).
const { namespace: schema, setUp, tearDown } = canaryNamespaces('canary', { postgres: postgresUp, redis: redisUp });

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

/** Faults that make Meta echo the canaries back, throttle, fail, reset (before and after Meta handled the call) and garble. */
const echoingFaults = (token: string): FakeFault[] => [
  { kind: 'error', status: 400, body: { error: { message: `Malformed access token ${token}`, type: 'OAuthException', code: 190, error_user_msg: `secret ${SECRET}`, error_data: { token, SECRET, list: [token, SECRET] } } } },
  { kind: 'error', status: 500, body: { error: { message: `(#1) ${SECRET} ${token}`, type: 'OAuthException', code: 1, is_transient: true } } },
  { kind: 'status', status: 502, body: `<html>${token} ${SECRET} ${PASSWORD}</html>` },
  { kind: 'error', body: fakeMetaErrors.messengerThrottled },
  { kind: 'reset' },
  { kind: 'malformed' },
  { kind: 'reset', after: true },
];

const scratch = scratchDir();
beforeAll(setUp);
afterAll(async () => {
  scratch.cleanup();
  await tearDown();
});


/** The fake Graph API taking the canary token and app secret, and the CLI environment that names every canary. */
const canaryMeta = async () => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const fake = await createFakeGraphApi({ clock, appSecret: SECRET, accessTokens: TOKEN });
  const env = { PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET: SECRET, GRAPH_BASE_URL: fake.url, VERIFY_TOKEN: CANARY.verifyToken, CALLPERM_API_TOKEN: CANARY.apiToken };
  return { fake, env };
};
describe('canary: no token, app secret or store password comes out anywhere', () => {
  it.runIf(postgresUp)('the service against a throttling, failing fake Meta, with forged and good webhooks, on a password-protected store', async () => {
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

  it('the CLI with the canary environment, on every store: check, request, inbox, chart (every format, and the HTML replay of a thread), inspect, simulate; failing stores, an unknown token, a secret in the base URL', async () => {
    const { fake, env } = await canaryMeta();
    const cwd = join(scratch.dir, 'cli');
    mkdirSync(cwd, { recursive: true });
    const texts: string[] = [];
    const run = async (args: string[], e: Record<string, string> = env): Promise<number> => {
      const r = await cli(args, { env: e, cwd });
      texts.push(r.stdout, r.stderr);
      return r.code;
    };
    /** The error a command throws, with its whole cause chain, not only the line `runCli` prints; its `CliError` code. */
    const thrownCode = async (args: string[], e: Record<string, string> = env): Promise<unknown> => {
      const { error, texts: out } = await thrownBy(args, e, cwd);
      texts.push(...out);
      return (error as { code?: unknown } | null)?.code;
    };
    const stores = [
      'sqlite:.callperm/callperm.sqlite',
      ...(redisUp ? [redisUrl(`${schema}_cli`)] : []),
      ...(postgresUp ? [storeUrl(`${schema}_cli`)] : []),
    ];
    // What drivers print on their own (ioredis warns that the server wants no password) is output too.
    const consoleSpies = (['log', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => { texts.push(a.map(String).join(' ')); }));
    try {
      fake.inbound({ pageId: '601', psid: '701' });
      for (const [i, store] of stores.entries()) {
        for (const f of echoingFaults(TOKEN)) {
          fake.inject('check', f);
          await run(['check', '601', '701', '--store', store]);
          fake.inject('send', f);
          await run(['request', '601', '701', '--store', store]);
        }
        expect(await run(['check', '601', '701', '--store', store])).toBe(0);
        // A token the fake does not know, not shaped like Meta's: Meta's own 190.
        expect(await thrownCode(['check', '601', '701', '--store', store], { ...env, PAGE_ACCESS_TOKEN: PLAIN_TOKEN })).toBe('graph_failure');
        expect(await run(['inbox', 'list', '--store', store])).toBe(0);
        expect(await run(['chart', '--format', 'html', '--thread', '601:701', '--store', store, '--title', 'canary'])).toBe(0);
        expect(await run(['chart', '--thread', '601:701', '--store', store, '--out', `chart-${i}.html`])).toBe(0);
      }
      for (const format of ['mermaid', 'dot', 'json']) expect(await run(['chart', '--format', format])).toBe(0);
      expect(await run(['inspect'])).toBe(0);
      // simulate on its default store (SQLite in --out-dir), and on PostgreSQL through a URL holding the password.
      expect(await run(['simulate', '--threads', '20', '--days', '2', '--faults', 'meta', '--out-dir', 'sim', '--no-progress'])).toBe(0);
      if (postgresUp) {
        expect(await run(['simulate', '--threads', '30', '--days', '3', '--faults', 'meta', '--store', storeUrl(`${schema}_sim`), '--out-dir', 'sim-pg', '--no-progress'])).toBe(0);
      }
      // Commands that fail: stores that do not open, with the password in their URL.
      expect(await thrownCode(['check', '601', '701', '--store', storeUrl('x').replace(/:\d+\//, ':1/')])).toBe('store');
      expect(await thrownCode(['check', '601', '701', '--store', `mysql://root:${PASSWORD}@db/app`])).toBe('usage');
      expect(await thrownCode(['chart', '--thread', '601:701', '--store', `postgres://u:${PASSWORD}@127.0.0.1:1/db`, '--format', 'html'])).toBe('store');
      expect(await thrownCode(['serve', '--port', '0', '--store', `postgres://u:${PASSWORD}@127.0.0.1:1/db`])).toBe('store');
      // The app secret in GRAPH_BASE_URL: the path of a plain http: URL off loopback and the user info (both refused), the query of a loopback URL (taken; the fake answers an error).
      expect(await thrownCode(['check', '601', '701', '--store', 'memory'], { ...env, GRAPH_BASE_URL: `http://graph.example.com/${SECRET}` })).toBe('bad_env');
      expect(await thrownCode(['check', '601', '701', '--store', 'memory'], { ...env, GRAPH_BASE_URL: fake.url.replace('//', `//canary:${SECRET}@`) })).toBe('bad_env');
      expect(await thrownCode(['check', '601', '701', '--store', 'memory'], { ...env, GRAPH_BASE_URL: `${fake.url}?key=${SECRET}` })).toBe('graph_failure');
      expectNoCanary('CLI stdout and stderr, thrown CliErrors', texts);
      expectNoCanary('files the CLI wrote (SQLite stores and WAL, charts, simulation reports)', filesUnder(cwd));
      const dumps = [...(redisUp ? [await dumpRedis(`${schema}_cli`)] : []), ...(postgresUp ? [await dumpPostgres(`${schema}_`)] : [])];
      for (const d of dumps) expect(d.rows).toBeGreaterThan(0);
      expectNoCanary('stored data (Redis, PostgreSQL)', dumps.map((d) => d.text));
    } finally {
      for (const spy of consoleSpies) spy.mockRestore();
      await fake.close();
    }
  });

  it('serve: the JSON API, webhooks, /healthz and /metrics, and everything serve writes', async () => {
    const { fake, env } = await canaryMeta();
    const dir = join(scratch.dir, 'serve');
    mkdirSync(dir, { recursive: true });
    const store = postgresUp ? storeUrl(`${schema}_serve`) : 'sqlite:serve.sqlite';
    const served = await serveInProcess(env, dir, ['--store', store, '--sweep-every', '1']);
    const texts: string[] = [];
    const auth = { authorization: `Bearer ${CANARY.apiToken}` };
    const call = async (path: string, init: RequestInit = {}): Promise<number> => {
      const r = await fetch(`${served.url}${path}`, init);
      texts.push(String(r.status), JSON.stringify([...r.headers]), await r.text());
      return r.status;
    };
    try {
      const thread = { pageId: '801', psid: '901' };
      fake.inbound(thread);
      for (const f of echoingFaults(TOKEN)) {
        fake.inject('send', f);
        fake.inject('check', f);
        await call(`/threads/${thread.pageId}/${thread.psid}/request`, { method: 'POST', headers: auth });
        await call(`/threads/${thread.pageId}/${thread.psid}/refresh`, { method: 'POST', headers: auth });
      }
      const at = Date.now();
      expect((await postWebhook(`${served.url}/webhook`, SECRET, pageWebhook([permissionReplyEntry({ ...thread, at, response: 'approve' })]))).status).toBe(200);
      await postWebhook(`${served.url}/webhook`, 'not-the-secret', pageWebhook([]));
      expect(await call(`/threads/${thread.pageId}/${thread.psid}`, { headers: auth })).toBe(200);
      expect(await call(`/threads/${thread.pageId}/${thread.psid}/chart`, { headers: auth })).toBe(200);
      await call(`/threads/${thread.pageId}/${thread.psid}`, { headers: { authorization: `Bearer ${SECRET}` } });
      await call('/healthz');
      expect(await call('/metrics', { headers: auth })).toBe(200);
      expect(texts.some((t) => t.includes('callperm_'))).toBe(true);
    } finally {
      texts.push(String(await served.stop()));
      await fake.close();
    }
    expectNoCanary('serve: API and webhook answers, /metrics, chart', texts);
    expectNoCanary('serve: stderr', served.stderr);
    expectNoCanary('serve: files', filesUnder(dir));
    if (postgresUp) expectNoCanary('serve: stored data', [await dumpSchemas(`${schema}_serve`)]);
  });
});
