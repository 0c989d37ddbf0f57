import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, memoryStore,
  type GraphFailure, type GraphFailureKind, type PageCallingStatus, type RemotePermission, type Result, type Thread,
} from '../../src/internals.js';
import { HOUR, T0 } from '../support/histories.js';
import { inProcessGraph } from '../support/inProcessGraph.js';

const thread: Thread = { pageId: '111', psid: '222' };
const neighbour: Thread = { pageId: '111', psid: '333' };

const refused = (kind: GraphFailureKind): Result<never, GraphFailure> => ({ ok: false, error: { kind, processed: 'no', message: `refused: ${kind}` } });

const setup = (opts: Parameters<typeof inProcessGraph>[0] = {}) => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const store = memoryStore();
  const fake = inProcessGraph(opts);
  const permissions = createCallPermissions({ graph: fake.graph, store, clock });
  const wrote = (t: Thread, at = clock.now()) => permissions.ingest([{ kind: 'inbound_message', id: `in-${t.psid}-${at}`, thread: t, at }]);
  return { clock, store, fake, permissions, wrote };
};

describe('ask before asking (rule 5)', () => {
  it('checks once before the first request, not again within preflightMaxAge, and again after it', async () => {
    const { permissions, fake, clock, wrote } = setup();
    await wrote(thread);
    expect((await permissions.request(thread)).ok).toBe(true);
    expect(fake.checks).toHaveLength(1);
    clock.advance(5 * HOUR); // past reminderAfter, inside the window, and the check is 5 h old
    await wrote(thread);
    expect((await permissions.request(thread)).ok).toBe(true);
    expect(fake.checks).toHaveLength(2);
    expect(fake.sent).toHaveLength(2);
  });

  it('honours the check: Meta counting two requests today means no send', async () => {
    const remote = (): RemotePermission => ({
      status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
      request: { canPerform: false, limits: [{ period: 'PT24H', max: 2, used: 2 }] }, startCall: null,
    });
    const { permissions, fake, wrote, clock } = setup({ remote });
    await wrote(thread);
    const r = await permissions.request(thread);
    expect(!r.ok && r.error.reason).toBe('quota_exhausted');
    expect(fake.sent).toHaveLength(0);
    // Meta's count is held one day from the check, when the person's window closes too; once they write again, that day is when.
    expect(!r.ok && r.error.decision.nextRequestAt).toBeNull();
    clock.advance(3 * HOUR);
    await wrote(thread);
    expect((await permissions.status(thread)).nextRequestAt).toBe(T0 + 24 * HOUR);
  });

  it('sends nothing when the check fails, and says why', async () => {
    const { permissions, fake, wrote } = setup();
    fake.graph.checkPermission = () => Promise.resolve(refused('transient'));
    await wrote(thread);
    const r = await permissions.request(thread);
    expect(!r.ok && r.error.reason).toBe('check_failed');
    expect(fake.sent).toHaveLength(0);
  });

  it('a blocked request asks Meta nothing', async () => {
    const { permissions, fake, wrote, clock } = setup();
    await wrote(thread, T0 - 30 * HOUR);
    expect(!(await permissions.request(thread)).ok).toBe(true);
    clock.advance(1);
    expect(fake.checks).toHaveLength(0);
  });
});

describe('refusals teach the thread, and Meta is not asked again (rule 2)', () => {
  for (const [kind, reason] of [['outside_window', 'outside_messaging_window'], ['person_unavailable', 'person_unavailable'], ['request_limit', 'quota_exhausted']] as const) {
    it(`${kind}: the next request is refused locally as ${reason}`, async () => {
      const { permissions, fake, wrote, clock } = setup({ send: () => refused(kind) });
      await wrote(thread);
      const first = await permissions.request(thread);
      expect(!first.ok && first.error.reason).toBe('send_failed');
      expect(!first.ok && first.error.decision.requestBlockedBy).toBe(reason);
      clock.advance(1);
      const second = await permissions.request(thread);
      expect(!second.ok && second.error.reason).toBe(reason);
      expect(fake.sendAttempts).toBe(1);
    });
  }

  it('calling not enabled is a fact about the Page: every thread of it is blocked, until a recheck says it is on', async () => {
    let enabled = false;
    const page = (): Result<PageCallingStatus, GraphFailure> => ({ ok: true, value: { enabled, status: enabled ? 'enabled' : 'disabled' } });
    const { permissions, fake, wrote, clock } = setup({ send: () => refused('calling_not_enabled'), page });
    await wrote(thread);
    await wrote(neighbour);
    expect(!(await permissions.request(thread)).ok).toBe(true);
    for (const t of [thread, neighbour]) {
      const s = await permissions.status(t);
      expect([s.reason, s.canRequest, s.canStartCall]).toEqual(['calling_not_enabled', false, false]);
    }
    expect((await permissions.request(neighbour)).ok).toBe(false);
    expect(fake.sendAttempts).toBe(1);
    expect(await permissions.pageCalling('111')).toMatchObject({ source: 'refusal' });

    // A sweep before the recheck interval leaves it; after it, the Page is checked again.
    clock.advance(HOUR);
    expect((await permissions.sweep()).pages).toBe(0);
    clock.advance(permissions.policy.pageRecheckAfterMs);
    expect((await permissions.sweep()).pages).toBe(1);
    expect(await permissions.pageCalling('111')).toMatchObject({ source: 'check', detail: 'disabled' });
    enabled = true;
    expect((await permissions.refreshPage('111')).ok).toBe(true);
    expect(await permissions.pageCalling('111')).toBeNull();
    expect((await permissions.status(neighbour)).reason).not.toBe('calling_not_enabled');
    expect(fake.pageChecks).toEqual(['111', '111']);
  });

  it('another host sees the Page fact within pageCacheMs', async () => {
    const { permissions, store, fake, wrote, clock } = setup({ send: () => refused('calling_not_enabled') });
    const other = createCallPermissions({ graph: fake.graph, store, clock, pageCacheMs: 1_000 });
    expect((await other.status(neighbour)).reason).toBe('no_permission');
    await wrote(thread);
    await permissions.request(thread);
    clock.advance(1_000);
    expect((await other.status(neighbour)).reason).toBe('calling_not_enabled');
  });
});

describe('an ambiguous send is reconciled (rule 3)', () => {
  it('a check that does not count it releases the slot: the person gets exactly one opt-in', async () => {
    let used = 0;
    const remote = (): RemotePermission => ({
      status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
      request: { canPerform: true, limits: [{ period: 'PT24H', max: 2, used }] }, startCall: null,
    });
    let attempt = 0;
    const send = (): Result<{ messageId: string }, GraphFailure> => {
      attempt += 1;
      return attempt === 1 ? { ok: false, error: { kind: 'transient', processed: 'unknown', message: 'timeout' } } : { ok: true, value: { messageId: 'm_2' } };
    };
    const { permissions, wrote, clock } = setup({ remote, send });
    await wrote(thread);
    const r = await permissions.request(thread);
    expect(!r.ok && r.error.reason).toBe('send_ambiguous');
    expect((await permissions.status(thread)).requestBlockedBy).toBe('pending_reply');
    clock.advance(permissions.policy.reconcileDelayMs);
    expect(await permissions.sweep()).toMatchObject({ checked: 1 });
    const s = await permissions.status(thread);
    expect([s.state, s.canRequest]).toEqual(['none', true]);
    used = 1;
    expect((await permissions.request(thread)).ok).toBe(true);
  });
});
