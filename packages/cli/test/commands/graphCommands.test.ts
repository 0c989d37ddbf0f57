import { join } from 'node:path';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/CliError.js';
import { cli, scratchDir } from '../support/captureIo.js';

const TOKEN = 'test-page-token';
let fake: FakeGraphApi;
const scratch = scratchDir();
const env = (): Record<string, string> => ({ PAGE_ACCESS_TOKEN: TOKEN, GRAPH_BASE_URL: fake.url });
/** Runs in the scratch folder, so the default store (`.callperm/callperm.sqlite`) lands there. */
const inScratch = (args: readonly string[], e: Record<string, string | undefined> = env()) => cli(args, { env: e, cwd: scratch.dir });

beforeAll(async () => {
  fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), accessTokens: TOKEN });
});
afterAll(async () => {
  await fake.close();
  scratch.cleanup();
});

describe('callperm check and request without a token', () => {
  it.each([['check'], ['request']])('%s exits with the configuration code and makes no call', async (command) => {
    const before = fake.requests.length;
    const run = await inScratch([command, '100', '200'], { GRAPH_BASE_URL: fake.url });
    expect(run.code).toBe(exitCodes.missing_env);
    expect(run.stderr).toContain('PAGE_ACCESS_TOKEN');
    expect(fake.requests.length).toBe(before);
  });

  it('rejects a malformed thread as a usage error', async () => {
    const run = await inScratch(['check', '100', 'not a psid']);
    expect(run.code).toBe(exitCodes.usage);
  });
});

describe('callperm check PAGE PSID', () => {
  it('makes one permission check and prints the remote answer and the decision', async () => {
    const thread = { pageId: '101', psid: '201' };
    fake.grant(thread, null);
    const before = fake.requests.length;
    const run = await inScratch(['check', thread.pageId, thread.psid]);
    expect(run.code).toBe(0);
    expect(fake.requests.length - before).toBe(1);
    const out = JSON.parse(run.stdout) as { ok: boolean; remote: { status: string }; decision: { state: string; canStartCall: boolean } };
    expect(out.ok).toBe(true);
    expect(out.remote.status).toBe('has_permission');
    expect(out.decision).toMatchObject({ state: 'approved', canStartCall: true });
  });

  it('exits 1 with ok: false when the Graph API refuses the token', async () => {
    const run = await inScratch(['check', '102', '202'], { ...env(), PAGE_ACCESS_TOKEN: 'wrong' });
    expect(run.code).toBe(exitCodes.graph_failure);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, failure: { kind: 'auth' } });
  });
});

describe('callperm request PAGE PSID', () => {
  it('sends one opt-in, and a second run on the same store is refused without a call', async () => {
    const thread = { pageId: '103', psid: '203' };
    fake.inbound(thread);
    const store = `sqlite:${join(scratch.dir, 'request.sqlite')}`;
    const first = await cli(['request', thread.pageId, thread.psid, '--store', store], { env: env() });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, decision: { state: 'requested' } });
    expect(fake.optIns.filter((o) => o.thread.psid === thread.psid)).toHaveLength(1);

    const before = fake.requests.length;
    const second = await cli(['request', thread.pageId, thread.psid, '--store', store], { env: env() });
    expect(second.code).toBe(exitCodes.refused);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: false, reason: 'pending_reply' });
    expect(fake.requests.length).toBe(before);
  });

  it('asks Meta first: outside the messaging window nothing is sent, and the reason says so', async () => {
    const before = fake.requests.length;
    const r = await inScratch(['request', '104', '204']);
    expect(r.code).toBe(exitCodes.refused);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, reason: 'remote_request_denied' });
    expect(fake.requests.slice(before).map((q) => q.endpoint)).toEqual(['check']);
  });

  it('keeps the thread in the default store, as serve does: three requests in a row send one opt-in', async () => {
    const thread = { pageId: '105', psid: '205' };
    fake.inbound(thread);
    const runs = [];
    for (let i = 0; i < 3; i += 1) runs.push(await inScratch(['request', thread.pageId, thread.psid]));
    expect(runs.map((r) => r.code)).toEqual([0, exitCodes.refused, exitCodes.refused]);
    expect(fake.optIns.filter((o) => o.thread.psid === thread.psid)).toHaveLength(1);
    expect(runs.every((r) => !r.stderr.includes('nothing is kept'))).toBe(true);
  });

  it('--store memory says that nothing is kept', async () => {
    const r = await inScratch(['request', '106', '206', '--store', 'memory']);
    expect(r.stderr).toContain('store memory: nothing is kept');
  });
});
