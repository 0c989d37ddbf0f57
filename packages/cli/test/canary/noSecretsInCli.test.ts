import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeGraphApi, pageWebhook, permissionReplyEntry, postWebhook, VirtualClock } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, scratchDir } from '../support/captureIo.js';
import { serverReachable } from '../support/reachable.js';
import { serveInProcess } from '../support/serveInProcess.js';
import { CANARY, expectNoCanary } from './support/canaryScan.js';
import { canaryNamespaces, echoingFaults, filesUnder, postgresUrl, redisUrl, thrownBy } from './support/canaryWorld.js';
import { dumpPostgres, dumpRedis } from './support/storeDumps.js';

const [postgresUp, redisUp] = await Promise.all([serverReachable('postgres'), serverReachable('redis')]);

/**
 * Issue 14, item 6, the CLI's surfaces: the canary Page token, app secret, store
 * password, API token and verify token in the environment and in store URLs of
 * every command (check, request, inbox, chart in every format and the HTML replay
 * of a thread, inspect, simulate and its reports, serve with its JSON API,
 * webhooks, `/healthz` and `/metrics`), on SQLite, Redis and PostgreSQL. Scanned:
 * stdout and stderr, what drivers print to the console, the CliErrors commands
 * throw with their cause chains, every file written (SQLite with its WAL, charts,
 * reports) and the stored rows and keys. None may hold a canary in any form.
 */
const { namespace, setUp, tearDown } = canaryNamespaces('canarycli', { postgres: postgresUp, redis: redisUp });
const { pageToken: TOKEN, plainToken: PLAIN_TOKEN, appSecret: SECRET, password: PASSWORD } = CANARY;
const scratch = scratchDir();
beforeAll(setUp);
afterAll(async () => {
  scratch.cleanup();
  await tearDown();
});

describe('canary: no secret comes out of the CLI', () => {
  it('check, request, inbox, chart (every format, and the HTML replay of a thread), inspect and simulate, on every store; thrown errors', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const fake = await createFakeGraphApi({ clock, appSecret: SECRET, accessTokens: TOKEN });
    const env = { PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET: SECRET, GRAPH_BASE_URL: fake.url, VERIFY_TOKEN: CANARY.verifyToken, CALLPERM_API_TOKEN: CANARY.apiToken };
    const cwd = join(scratch.dir, 'cli');
    mkdirSync(cwd, { recursive: true });
    const texts: string[] = [];
    const run = async (args: string[], e: Record<string, string> = env): Promise<number> => {
      const r = await cli(args, { env: e, cwd });
      texts.push(r.stdout, r.stderr);
      return r.code;
    };
    const stores = [
      'sqlite:.callperm/callperm.sqlite',
      ...(redisUp ? [redisUrl(`${namespace}_cli`)] : []),
      ...(postgresUp ? [postgresUrl(`${namespace}_cli`)] : []),
    ];
    // What drivers print on their own (ioredis warns that the server wants no password) is output too.
    const consoleSpies = (['log', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => { texts.push(a.map(String).join(' ')); }));
    try {
      fake.inbound({ pageId: '601', psid: '701' });
      for (const store of stores) {
        for (const f of echoingFaults(TOKEN)) {
          fake.inject('check', f);
          await run(['check', '601', '701', '--store', store]);
          fake.inject('send', f);
          await run(['request', '601', '701', '--store', store]);
        }
        expect(await run(['check', '601', '701', '--store', store])).toBe(0);
        expect(await run(['inbox', 'list', '--store', store])).toBe(0);
        expect(await run(['chart', '--format', 'html', '--thread', '601:701', '--store', store, '--title', 'canary'])).toBe(0);
        expect(await run(['chart', '--thread', '601:701', '--store', store, '--out', `chart-${stores.indexOf(store)}.html`])).toBe(0);
      }
      for (const format of ['mermaid', 'dot', 'json']) expect(await run(['chart', '--format', format])).toBe(0);
      expect(await run(['inspect'])).toBe(0);
      expect(await run(['simulate', '--threads', '20', '--days', '2', '--faults', 'meta', '--out-dir', 'sim', '--no-progress'])).toBe(0);
      // Commands that fail: their CliError, with its whole cause chain, not only the line runCli prints.
      const failing: string[][] = [
        ['check', '601', '701', '--store', postgresUrl('x').replace(/:\d+\//, ':1/')],
        ['check', '601', '701', '--store', `mysql://root:${PASSWORD}@db/app`],
        ['chart', '--thread', '601:701', '--store', `postgres://u:${PASSWORD}@127.0.0.1:1/db`, '--format', 'html'],
        ['serve', '--port', '0', '--store', `postgres://u:${PASSWORD}@127.0.0.1:1/db`],
      ];
      const errors: unknown[] = [];
      for (const args of failing) {
        const { error, texts: out } = await thrownBy(args, env, cwd);
        errors.push(error);
        texts.push(...out);
      }
      const badUrl = await thrownBy(['check', '601', '701'], { ...env, GRAPH_BASE_URL: `http://graph.example.com/${SECRET}` }, cwd);
      const badToken = await thrownBy(['check', '601', '701', '--store', 'memory'], { ...env, PAGE_ACCESS_TOKEN: PLAIN_TOKEN }, cwd);
      texts.push(...badUrl.texts, ...badToken.texts);
      expect(errors.every((e) => (e as { code?: unknown } | null)?.code !== undefined)).toBe(true);
      expect((badUrl.error as { code?: unknown }).code).toBe('bad_env');
      expectNoCanary('CLI stdout and stderr, thrown CliErrors', texts);
      expectNoCanary('files the CLI wrote (SQLite store and WAL, charts, simulation reports)', filesUnder(cwd));
      const dumps = [...(redisUp ? [await dumpRedis(`${namespace}_cli`)] : []), ...(postgresUp ? [await dumpPostgres(`${namespace}_cli`)] : [])];
      for (const d of dumps) expect(d.rows).toBeGreaterThan(0);
      expectNoCanary('stored data (Redis, PostgreSQL)', dumps.map((d) => d.text));
    } finally {
      for (const spy of consoleSpies) spy.mockRestore();
      await fake.close();
    }
  });

  it('serve: the JSON API, webhooks, /healthz and /metrics, and everything serve writes', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const fake = await createFakeGraphApi({ clock, appSecret: SECRET, accessTokens: TOKEN });
    const env = { PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET: SECRET, GRAPH_BASE_URL: fake.url, VERIFY_TOKEN: CANARY.verifyToken, CALLPERM_API_TOKEN: CANARY.apiToken };
    const dir = join(scratch.dir, 'serve');
    mkdirSync(dir, { recursive: true });
    const store = postgresUp ? postgresUrl(`${namespace}_serve`) : 'sqlite:serve.sqlite';
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
    if (postgresUp) expectNoCanary('serve: stored data', [(await dumpPostgres(`${namespace}_serve`)).text]);
  });
});
