import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeGraphApi, pageWebhook, permissionReplyEntry, postWebhook, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import type { HistoryEntry } from '@callperm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../src/chart/describeSource.js';
import { exitCodes } from '../../src/CliError.js';
import { cli, scratchDir } from '../support/captureIo.js';
import { serveInProcess } from '../support/serveInProcess.js';

const APP_SECRET = 'serve-test-secret';
const VERIFY_TOKEN = 'serve-test-verify';
const TOKEN = 'serve-test-token';
const API_TOKEN = 'serve-test-api-token-0123456789';
const auth = { authorization: `Bearer ${API_TOKEN}` };
const post = { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } };
const launcher = fileURLToPath(new URL('../../bin/callperm.js', import.meta.url));

const serve = serveInProcess;

const json = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>;

describe('callperm serve', () => {
  const scratch = scratchDir();
  let fake: FakeGraphApi;
  let served: Awaited<ReturnType<typeof serve>>;
  const env = (): Record<string, string> => ({ PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET, VERIFY_TOKEN, GRAPH_BASE_URL: fake.url, CALLPERM_API_TOKEN: API_TOKEN });

  beforeAll(async () => {
    fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), accessTokens: TOKEN });
    served = await serve(env(), scratch.dir);
  });
  afterAll(async () => {
    await fake.close();
    scratch.cleanup();
  });

  it('a signed webhook through the real port changes GET /threads/...', async () => {
    const thread = { pageId: '5001', psid: '6001' };
    const before = await json(await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}`, { headers: auth }));
    expect(before).toMatchObject({ state: 'none', canStartCall: false });

    const at = Date.now();
    const posted = await postWebhook(`${served.url}/webhook`, APP_SECRET,
      pageWebhook([permissionReplyEntry({ ...thread, at, response: 'approve', expiresAt: at + 7 * 86_400_000 })]));
    expect(posted.status).toBe(200);

    const after = await json(await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}`, { headers: auth }));
    expect(after).toMatchObject({ state: 'approved', canStartCall: true });
  });

  it('refuses a webhook with a bad signature and leaves the thread alone', async () => {
    const thread = { pageId: '5001', psid: '6002' };
    const posted = await postWebhook(`${served.url}/webhook`, 'not-the-secret',
      pageWebhook([permissionReplyEntry({ ...thread, at: Date.now(), response: 'approve' })]));
    expect(posted.status).toBe(401);
    expect(await json(await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}`, { headers: auth }))).toMatchObject({ state: 'none' });
  });

  it('answers Meta\'s verification handshake', async () => {
    const res = await fetch(`${served.url}/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=31337`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('31337');
  });

  it('POST .../request sends an opt-in through the Graph API; a second one is refused', async () => {
    const thread = { pageId: '5001', psid: '6003' };
    fake.inbound(thread);
    const first = await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}/request`, post);
    expect(first.status).toBe(200);
    expect(await json(first)).toMatchObject({ ok: true, decision: { state: 'requested' } });
    expect(fake.optIns.filter((o) => o.thread.psid === thread.psid)).toHaveLength(1);
    const second = await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}/request`, post);
    expect(second.status).toBe(409);
    expect(await json(second)).toMatchObject({ ok: false, reason: 'pending_reply' });
  });

  it('POST .../refresh takes Meta\'s word', async () => {
    const thread = { pageId: '5001', psid: '6004' };
    fake.grant(thread, null);
    const res = await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}/refresh`, post);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, decision: { state: 'approved' } });
  });

  /** The replay on a thread's chart page, as served. */
  const chartReplay = async (thread: string): Promise<{ start: string; steps: (HistoryEntry & { via: string })[] }> => {
    const chart = await fetch(`${served.url}/threads/${thread}/chart`, { headers: auth });
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await chart.text();
    expect(html).toContain('<svg');
    return (JSON.parse(/id="callperm-data">(.*?)<\/script>/s.exec(html)![1]!) as { replay: { start: string; steps: (HistoryEntry & { via: string })[] } }).replay;
  };

  it('serves a thread\'s chart page replaying its consent history from the store, and 404s unknown paths', async () => {
    // 5001:6001 was approved by the signed webhook above; 5001:6003 asked, 5001:6004 was checked.
    const approved = await chartReplay('5001/6001');
    const reply = approved.steps.find((st) => st.event === 'REPLY_APPROVE');
    expect(reply).toMatchObject({ to: 'approved', source: { kind: 'webhook', eventId: expect.any(String) as string } });
    expect(approved.start).toBe(approved.steps[0]!.from);
    expect(approved.steps.at(-1)!.to).toBe('approved');
    expect(reply!.via).toBe(describeSource(reply!.source));

    const asked = await chartReplay('5001/6003');
    expect(asked.steps.map((st) => st.event)).toEqual(expect.arrayContaining(['REQUEST', 'REQUEST_SENT']));
    // The check taken before asking, then the opt-in's own steps.
    expect(asked.steps.map((st) => st.source.kind)).toEqual(['remote_check', ...asked.steps.slice(1).map(() => 'opt_in')]);

    const checked = await chartReplay('5001/6004');
    expect(checked.steps.at(-1)).toMatchObject({ to: 'approved', source: { kind: 'remote_check' } });

    const untouched = await chartReplay('5001/6999');
    expect(untouched).toMatchObject({ start: 'none', steps: [] });

    expect((await fetch(`${served.url}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${served.url}/threads/5001/6001`, { method: 'DELETE', headers: auth })).status).toBe(405);
  });

  it('stops cleanly when told to (exit 0)', async () => {
    expect(await served.stop()).toBe(0);
  });
});

describe('callperm serve: who may use the JSON API', () => {
  const scratch = scratchDir();
  let fake: FakeGraphApi;
  const base = (): Record<string, string> => ({ PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET, VERIFY_TOKEN, GRAPH_BASE_URL: fake.url });

  beforeAll(async () => {
    fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), accessTokens: TOKEN });
  });
  afterAll(async () => {
    await fake.close();
    scratch.cleanup();
  });

  it('without CALLPERM_API_TOKEN the API is off (404 api_disabled); the webhook and /healthz still serve', async () => {
    const served = await serve(base(), scratch.dir);
    try {
      expect(served.api).toBeNull();
      const res = await fetch(`${served.url}/threads/5001/6001/request`, post);
      expect(res.status).toBe(404);
      expect(await json(res)).toEqual({ error: 'api_disabled' });
      expect(fake.optIns).toHaveLength(0);
      expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${served.url}/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=5`)).status).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('refuses a foreign Origin or Host and a missing token even when they name a real thread (the reported CSRF)', async () => {
    const served = await serve({ ...base(), CALLPERM_API_TOKEN: API_TOKEN }, scratch.dir);
    try {
      const thread = '5001/7001';
      fake.inbound({ pageId: '5001', psid: '7001' });
      const attempts = [
        fetch(`${served.url}/threads/${thread}/request`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json', ...auth } }),
        fetch(`${served.url}/threads/${thread}/request`, { method: 'POST', headers: { 'content-type': 'application/json' } }),
        fetch(`${served.url}/threads/${thread}/request`, { method: 'POST', headers: auth, body: 'x=1' }),
      ];
      expect((await Promise.all(attempts)).map((r) => r.status)).toEqual([403, 401, 415]);
      expect(fake.optIns).toHaveLength(0);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('--api-port gives the API a loopback listener of its own; the public listener serves no /threads', async () => {
    const served = await serve({ ...base(), CALLPERM_API_TOKEN: API_TOKEN }, scratch.dir, ['--api-port', '0']);
    try {
      expect(served.api).not.toBeNull();
      expect(served.api).not.toBe(served.url);
      expect(new URL(served.api!).hostname).toBe('127.0.0.1');
      expect((await fetch(`${served.api}/threads/5001/6001`, { headers: auth })).status).toBe(200);
      const onPublic = await fetch(`${served.url}/threads/5001/6001`, { headers: auth });
      expect([onPublic.status, (await json(onPublic)).error]).toEqual([404, 'not_found']);
      expect((await fetch(`${served.api}/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=5`)).status).toBe(404);
      expect((await fetch(`${served.url}/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=5`)).status).toBe(200);
      expect((await fetch(`${served.api}/healthz`)).status).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('refuses at start a non-loopback --api-host without a token, and a token too short to be one (usage)', async () => {
    const env = { ...base() };
    const open = await cli(['serve', '--port', '0', '--store', 'memory', '--api-host', '0.0.0.0', '--api-port', '0'], { env });
    expect(open.code).toBe(exitCodes.usage);
    const short = await cli(['serve', '--port', '0', '--store', 'memory'], { env: { ...env, CALLPERM_API_TOKEN: 'short' } });
    expect(short.code).toBe(exitCodes.usage);
    // The same address with a token starts.
    const served = await serve({ ...env, CALLPERM_API_TOKEN: API_TOKEN }, scratch.dir, ['--api-host', '0.0.0.0', '--api-port', '0']);
    expect(await served.stop()).toBe(0);
  });
});

describe('callperm serve configuration', () => {
  it.each([['APP_SECRET'], ['VERIFY_TOKEN'], ['PAGE_ACCESS_TOKEN']])('exits with the configuration code when %s is unset', async (name) => {
    const env: Record<string, string> = { PAGE_ACCESS_TOKEN: 't', APP_SECRET: 's', VERIFY_TOKEN: 'v' };
    delete env[name];
    const run = await cli(['serve', '--port', '0', '--store', 'memory'], { env });
    expect(run.code).toBe(exitCodes.missing_env);
    expect(run.stderr).toContain(name);
  });
});

describe('callperm serve as a process', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.cleanup());

  it('shuts down gracefully on SIGTERM with exit code 0', async () => {
    const child = spawn(process.execPath, [launcher, 'serve', '--port', '0', '--store', `sqlite:${join(scratch.dir, 'p.sqlite')}`], {
      env: { ...process.env, PAGE_ACCESS_TOKEN: 't', APP_SECRET: 's', VERIFY_TOKEN: 'v', GRAPH_BASE_URL: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const { listening } = JSON.parse(chunk.toString()) as { listening: string };
    expect((await fetch(`${listening}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
