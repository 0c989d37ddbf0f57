import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, decide, emptyRecord, fastStep, followUps, memoryStore, parseWebhook, requestBlocker, requestMessageAt, resolvePolicy, threadKey, usedAt, whatsappPolicy,
  type PermissionRecord, type Thread,
} from '../src/internals.js';
import { DAY, HOUR, T0, historyArb, play, policyArb } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';

const wa = resolvePolicy(whatsappPolicy);

describe('WhatsApp rules on the same machine', () => {
  it('a permanent approval never expires and never falls due for an expiry', () => {
    fc.assert(fc.property(historyArb, fc.integer({ min: 0, max: 3650 * DAY }), (moves, later) => {
      const { record, now } = play(moves, wa);
      const r = fastStep(record, { type: 'REPLY_APPROVE', at: now + 1, expiresAt: null, permanent: true }, wa).record;
      expect(r.state).toBe('approved');
      expect(r.expiresAt).toBeNull();
      expect(decide(r, now + 1 + later, wa).state).toBe('approved');
      expect(followUps(r, wa).map((f) => f.kind)).not.toContain('announce_expiry');
    }));
  });

  it('a connected call resets the request quota where the policy says so, and changes nothing where it does not', () => {
    fc.assert(fc.property(policyArb, historyArb, fc.integer({ min: 0, max: 2 * HOUR }), (policy, moves, gap) => {
      const p = resolvePolicy(policy);
      const { record, now } = play(moves, p);
      const at = now + gap;
      const after = fastStep(record, { type: 'CALL_ANSWERED', at }, p);
      if (!p.requestQuotaResetByCall) {
        expect(after.changed).toBe(false);
        return;
      }
      // Only what was reserved after the call still counts, in every window, from the call on.
      const localAfter = (r: PermissionRecord, periodMs: number, t: number) => r.requests.filter((x) => x > t - periodMs && x > at).length;
      for (const w of p.quota) {
        for (const t of [at, at + HOUR, at + DAY]) {
          expect(usedAt(after.record, { periodMs: w.periodMs, max: w.max }, t, p)).toBe(localAfter(record, w.periodMs, t));
        }
      }
      expect(after.record.state).toBe(record.state);
      expect(after.record.expiresAt).toBe(record.expiresAt);
    }));
  });

  it('Messenger and WhatsApp threads of one service are judged by their own policies', async () => {
    let now = T0;
    const clock = { now: () => now };
    const fake = inProcessGraph();
    const permissions = createCallPermissions({ graph: fake.graph, store: memoryStore(), clock });
    const messenger: Thread = { pageId: '111', psid: '222' };
    const whatsapp: Thread = { channel: 'whatsapp', pageId: '111', psid: '222' };
    for (const thread of [messenger, whatsapp]) await permissions.ingest([{ kind: 'inbound_message', id: `in-${thread.channel ?? 'm'}`, thread, at: now }]);
    expect((await permissions.request(messenger)).ok).toBe(true);
    expect((await permissions.request(whatsapp)).ok).toBe(true);
    now += 5 * HOUR; // past reminderAfter: Messenger allows its second request of the day, WhatsApp (1 a day) does not
    for (const thread of [messenger, whatsapp]) await permissions.ingest([{ kind: 'inbound_message', id: `in2-${thread.channel ?? 'm'}`, thread, at: now }]);
    expect((await permissions.status(messenger)).canRequest).toBe(true);
    expect((await permissions.status(whatsapp)).requestBlockedBy).toBe('quota_exhausted');
    // A WhatsApp call that connects resets its request quota.
    const call = { kind: 'call' as const, channel: 'whatsapp' as const, pageId: '111', psid: '222', callId: 'wacid.1', direction: 'business_initiated' as const, callStatus: null, terminateStatus: null, durationSec: null };
    await permissions.ingest([
      { ...call, id: 'wa-c', at: now, event: 'connect' },
      { ...call, id: 'wa-t', at: now + 60_000, event: 'terminate', terminateStatus: 'completed', durationSec: 55 },
    ]);
    expect((await permissions.status(whatsapp)).canRequest).toBe(true);
    // It is no implicit grant on WhatsApp (Meta announces callback grants itself), and the Messenger thread is untouched.
    expect((await permissions.status(whatsapp)).state).toBe('requested');
    expect((await permissions.status(messenger)).state).toBe('requested');
  });

  it('a WhatsApp reply: temporary approvals last their expiry, permanent ones none, an automatic revocation ends it', async () => {
    const now = T0;
    const permissions = createCallPermissions({ graph: inProcessGraph().graph, store: memoryStore(), clock: { now: () => now } });
    const thread: Thread = { channel: 'whatsapp', pageId: '777', psid: '4915112345678' };
    const reply = (id: string, at: number, response: 'approve' | 'reject', extra: object = {}) =>
      permissions.ingest([{ kind: 'permission_reply', id, thread, at, response, expiresAt: null, ...extra }]);
    await reply('a', now - 3 * HOUR, 'approve', { expiresAt: now - 3 * HOUR + 7 * DAY });
    expect((await permissions.status(thread)).expiresAt).toBe(now - 3 * HOUR + 7 * DAY);
    await reply('b', now - 2 * HOUR, 'approve', { permanent: true });
    expect((await permissions.status(thread)).expiresAt).toBeNull();
    await reply('c', now - HOUR, 'reject', { automatic: true });
    expect((await permissions.status(thread)).state).toBe('rejected');
  });
});

describe('limit_expiration_time: a used-up limit frees when Meta says', () => {
  const check = (at: number, freesAt: number | null) => ({
    status: 'no_permission' as const, rawStatus: 'no_permission', expiresAt: null, startCall: null,
    request: { canPerform: false, limits: [{ period: 'PT24H', max: 1, used: 1, freesAt }, { period: 'P7D', max: 2, used: 1 }] },
  });

  it('a request the log does not know of holds the thread exactly until freesAt, not a whole day after the check', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 23 * HOUR }), (freesIn) => {
      const at = T0 + HOUR;
      const r = [
        { type: 'USER_MESSAGE' as const, at: T0 },
        { type: 'REMOTE_SYNC' as const, at, remote: check(at, at + freesIn) },
        { type: 'USER_MESSAGE' as const, at: at + freesIn - 1 },
      ].reduce((rec: PermissionRecord, e) => fastStep(rec, e, wa).record, emptyRecord());
      expect(requestBlocker(r, at + freesIn - 1, wa)).toBe('quota_exhausted');
      expect(requestBlocker(r, at + freesIn, wa)).toBeNull();
      expect(decide(r, at, wa).nextRequestAt).toBe(at + freesIn);
      // Without Meta's word the check counts a whole day.
      const unsaid = fastStep(r, { type: 'REMOTE_SYNC', at: at + 1, remote: check(at + 1, null) }, wa).record;
      expect(requestBlocker(unsaid, at + freesIn, wa)).toBe('quota_exhausted');
    }));
  });
});

describe('a request rule per message kind: the interactive request inside the window, the template outside it', () => {
  const withTemplate = resolvePolicy({ ...whatsappPolicy, templateOutsideWindow: true });

  it('with a template, the window never holds a request back, and the message is standard exactly inside the known window', () => {
    fc.assert(fc.property(historyArb, fc.integer({ min: 0, max: 3 * DAY }), (moves, later) => {
      const { record, now } = play(moves, withTemplate);
      const at = now + later;
      expect(['outside_messaging_window', 'messaging_window_unknown']).not.toContain(requestBlocker(record, at, withTemplate));
      const inside = record.lastInboundAt !== null && at < record.lastInboundAt + DAY
        && !(record.refusal?.kind === 'outside_window' && record.refusal.at >= record.lastInboundAt);
      expect(requestMessageAt(record, at, withTemplate)).toBe(inside ? 'standard' : 'template');
      // Without a template the message is always the standard one, and the window rules are as before.
      expect(requestMessageAt(record, at, wa)).toBe('standard');
    }));
  });

  it('over the service: a person who never wrote gets the template; once they write, the interactive request', async () => {
    let now = T0;
    const fake = inProcessGraph();
    const permissions = createCallPermissions({ graph: fake.graph, store: memoryStore(), clock: { now: () => now }, whatsappPolicy: { ...whatsappPolicy, templateOutsideWindow: true } });
    const thread: Thread = { channel: 'whatsapp', pageId: '777', psid: '4915112345678' };
    expect((await permissions.request(thread)).ok).toBe(true);
    now += 8 * DAY; // past the 7-day request limit
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: now }]);
    expect((await permissions.request(thread)).ok).toBe(true);
    expect(fake.messages).toEqual(['template', 'standard']);
    // The default WhatsApp policy has no template: a person who never wrote is not asked at all.
    const strict = createCallPermissions({ graph: fake.graph, store: memoryStore(), clock: { now: () => now } });
    const refused = await strict.request(thread);
    expect(!refused.ok && refused.error.reason).toBe('messaging_window_unknown');
    expect(fake.messages).toHaveLength(2);
  });
});

describe('WhatsApp deliveries end to end (decoded from Meta\'s documented bodies, applied to their threads)', () => {
  const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/whatsapp/${name}.json`, import.meta.url), 'utf8'));

  it('a permanent approval, then an automatic revocation, reach the WhatsApp thread and no Messenger one', async () => {
    const approve = parseWebhook(fixture('reply-accept-permanent'));
    const revoke = parseWebhook(fixture('reply-automatic-revocation'));
    if (!approve.ok || !revoke.ok) throw new Error('the fixtures decode');
    const [reply] = approve.value;
    if (reply?.kind !== 'permission_reply') throw new Error('a reply');
    let now = reply.at + 60_000;
    const permissions = createCallPermissions({ graph: inProcessGraph().graph, store: memoryStore(), clock: { now: () => now } });
    expect(reply.thread.channel).toBe('whatsapp');
    expect((await permissions.ingest(approve.value)).applied).toBe(1);
    const approved = await permissions.status(reply.thread);
    expect([approved.state, approved.expiresAt, approved.canStartCall]).toEqual(['approved', null, true]);
    expect((await permissions.status({ pageId: reply.thread.pageId, psid: reply.thread.psid })).state).toBe('none');
    const [revocation] = revoke.value;
    if (revocation?.kind !== 'permission_reply') throw new Error('a reply');
    // The revocation, on the same thread and later, as Meta would send it after unanswered calls.
    const later = { ...revocation, thread: reply.thread, at: reply.at + 3_600_000 };
    expect(threadKey(later.thread)).toBe(threadKey(reply.thread));
    now = later.at + 60_000;
    await permissions.ingest([later]);
    const revoked = await permissions.status(reply.thread);
    expect([revoked.state, revoked.canStartCall]).toEqual(['rejected', false]);
  });
});
