import { join } from 'node:path';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/CliError.js';
import { cli, scratchDir } from '../support/captureIo.js';

const TOKEN = 'test-page-token';
let fake: FakeGraphApi;
const scratch = scratchDir();
const env = (): Record<string, string> => ({ PAGE_ACCESS_TOKEN: TOKEN, GRAPH_BASE_URL: fake.url });

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
    const run = await cli([command, '100', '200'], { env: { GRAPH_BASE_URL: fake.url } });
    expect(run.code).toBe(exitCodes.missing_env);
    expect(run.stderr).toContain('PAGE_ACCESS_TOKEN');
    expect(fake.requests.length).toBe(before);
  });

  it('rejects a malformed thread as a usage error', async () => {
    const run = await cli(['check', '100', 'not a psid'], { env: env() });
    expect(run.code).toBe(exitCodes.usage);
  });
});

describe('callperm check PAGE PSID', () => {
  it('makes one permission check and prints the remote answer and the decision', async () => {
    const thread = { pageId: '101', psid: '201' };
    fake.grant(thread, null);
    const before = fake.requests.length;
    const run = await cli(['check', thread.pageId, thread.psid], { env: env() });
    expect(run.code).toBe(0);
    expect(fake.requests.length - before).toBe(1);
    const out = JSON.parse(run.stdout) as { ok: boolean; remote: { status: string }; decision: { state: string; canStartCall: boolean } };
    expect(out.ok).toBe(true);
    expect(out.remote.status).toBe('has_permission');
    expect(out.decision).toMatchObject({ state: 'approved', canStartCall: true });
  });

  it('exits 1 with ok: false when the Graph API refuses the token', async () => {
    const run = await cli(['check', '102', '202'], { env: { ...env(), PAGE_ACCESS_TOKEN: 'wrong' } });
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

  it('reports Meta\'s refusal outside the messaging window as a Graph failure', async () => {
    const run = await cli(['request', '104', '204'], { env: env() });
    expect(run.code).toBe(exitCodes.graph_failure);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, reason: 'send_failed', failure: { kind: 'outside_window' } });
  });
});
