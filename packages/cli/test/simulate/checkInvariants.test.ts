import fc from 'fast-check';
import type { FakeCall, FakeConnect, FakeInbound, FakeOptIn, FakeReply, FakeSend } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type InvariantRules, type RequestCallRecord, type Violation } from '../../src/simulate/checkInvariants.js';

const H = 3_600_000;
const thread = { pageId: '1', psid: '2' };
const rules: InvariantRules = { quota: { period: 'PT24H', max: 2 }, reminderAfterMs: 4 * H, afterDeclineMs: null };

/** Meta's records of one thread, written in order (each gets the next `seq`), with the host's request() calls. */
class Run {
  seq = 0;
  readonly sends: FakeSend[] = [];
  readonly optIns: FakeOptIn[] = [];
  readonly inbounds: FakeInbound[] = [];
  readonly replies: FakeReply[] = [];
  readonly requestCalls: RequestCallRecord[] = [];
  readonly connects: FakeConnect[] = [];

  /** A connect that reached Meta, with what held there at that instant. */
  connect(at: number, facts: { permitted: boolean; overQuota: boolean }): this {
    const outcome = !facts.permitted ? 'no_call_permission' : facts.overQuota ? 'call_limit' : 'placed';
    this.connects.push({ seq: ++this.seq, at, pageId: thread.pageId, thread, outcome, pageAllowed: true, ...facts });
    return this;
  }

  /** One request() call at `at` that sent these outcomes, in order (none: it sent nothing). */
  request(at: number, ...outcomes: FakeSend['outcome'][]): this {
    const fromSeq = this.seq;
    for (const o of outcomes) this.send(at, o);
    this.requestCalls.push({ thread, at, fromSeq, toSeq: this.seq });
    return this;
  }

  /** A send that reaches Meta, outside any request() call unless inside `request`. */
  send(at: number, outcome: FakeSend['outcome'] = 'accepted'): this {
    const seq = ++this.seq;
    const messageId = `m${seq}`;
    this.sends.push({
      seq, at, pageId: thread.pageId, psid: thread.psid, outcome,
      ...(outcome === 'accepted' ? { messageId } : outcome === 'refused' ? { refusal: 'outside_window', code: 10, subcode: 2018278 } : {}),
    });
    if (outcome === 'accepted') this.optIns.push({ thread, at, messageId, messagingType: undefined, body: {} });
    return this;
  }

  inbound(at: number): this {
    this.inbounds.push({ seq: ++this.seq, thread, at });
    return this;
  }

  reply(at: number, response: FakeReply['response']): this {
    this.replies.push({ seq: ++this.seq, thread, at, response, optInMessageId: null });
    return this;
  }

  check(r: InvariantRules = rules): Violation[] {
    return checkInvariants({ fake: this, requestCalls: this.requestCalls }, r);
  }

  kinds(r: InvariantRules = rules): string[] {
    return this.check(r).map((v) => v.kind);
  }
}

describe('checkInvariants on WhatsApp threads', () => {
  const wa = { channel: 'whatsapp' as const, pageId: '106540000000001', psid: '4915100000001' };
  const waRules: InvariantRules = {
    ...rules,
    whatsapp: { requestLimits: [{ period: 'PT24H', max: 1 }, { period: 'P7D', max: 2 }], reminderAfterMs: 4 * H, afterDeclineMs: null },
  };
  let seq = 0;
  const send = (at: number, outcome: FakeSend['outcome'] = 'accepted'): FakeSend => ({
    seq: ++seq, at, pageId: wa.pageId, psid: wa.psid, outcome, channel: 'whatsapp',
    ...(outcome === 'accepted' ? { messageId: `wamid.${seq}` } : { refusal: 'request_limit', code: 138009 }),
  });
  const inbound = (at: number): FakeInbound => ({ seq: ++seq, thread: wa, at });
  const reply = (at: number): FakeReply => ({ seq: ++seq, thread: wa, at, response: 'approve', optInMessageId: null });
  const answered = (at: number): FakeCall => ({
    callId: `wacid.${at}`, thread: wa, direction: 'business_initiated', startedAt: at - 5_000, answeredAt: at, endedAt: at + 60_000, cause: 'hung_up',
  });
  /** Each record in its own request() call, so only the quota and pacing can be broken. */
  const check = (records: (FakeSend | FakeInbound | FakeReply)[], calls: FakeCall[] = []): Violation[] => {
    const sends = records.filter((r): r is FakeSend => 'outcome' in r);
    const fake = {
      sends, optIns: [], connects: [], calls,
      inbounds: records.filter((r): r is FakeInbound => !('outcome' in r) && !('response' in r)),
      replies: records.filter((r): r is FakeReply => 'response' in r),
    };
    const requestCalls = sends.map((s) => ({ thread: wa, at: s.at, fromSeq: s.seq - 1, toSeq: s.seq }));
    return checkInvariants({ fake, requestCalls }, waRules);
  };

  it('flags a request while the pair already had one accepted in the rolling 24 h', () => {
    // Answered, and the person wrote: only WhatsApp's 1 per 24 h (not Messenger's 2) is broken.
    const v = check([inbound(0), send(0), reply(H), inbound(10 * H), send(10 * H, 'refused')]);
    expect(v).toEqual([{ kind: 'quota_exceeded', thread: wa, at: 10 * H }]);
  });

  it('flags a third request in 7 days, each a day apart', () => {
    const v = check([inbound(0), send(0), reply(H), inbound(25 * H), send(25 * H), reply(26 * H), inbound(50 * H), send(50 * H, 'refused')]);
    expect(v.map((x) => [x.kind, x.at])).toEqual([['quota_exceeded', 50 * H]]);
  });

  it('accepts a request after a call the person picked up (the reset), and one a day later', () => {
    expect(check([inbound(0), send(0), reply(H), inbound(10 * H), send(10 * H)], [answered(5 * H)])).toEqual([]);
    expect(check([inbound(0), send(0), reply(H), inbound(25 * H), send(25 * H)])).toEqual([]);
  });

  it('does not take a call picked up after the request as its reset', () => {
    const v = check([inbound(0), send(0), reply(H), inbound(10 * H), send(10 * H)], [answered(11 * H)]);
    expect(v).toEqual([{ kind: 'quota_exceeded', thread: wa, at: 10 * H }]);
  });

  it('holds WhatsApp threads to the reminder rule, keyed with the channel', () => {
    expect(check([inbound(0), send(0), send(30 * H)]).map((x) => x.kind)).toEqual([]);
    // A second request an hour after an unanswered one, the person silent: against the reminder rule (and over 1 per 24 h).
    const v = check([inbound(0), send(0), reply(H), send(2 * H), send(3 * H)], [answered(90 * 60_000)]);
    expect(v.map((x) => [x.kind, x.at])).toEqual([['against_reminder_rule', 3 * H], ['quota_exceeded', 3 * H]]);
    expect(v[0]!.thread).toEqual(wa);
  });
});

describe('checkInvariants (from Meta\'s records)', () => {
  it('finds nothing in a run that kept every promise', () => {
    const run = new Run().inbound(0).request(0, 'accepted').reply(H, 'approve')
      .request(30 * H, 'refused', 'accepted') // a refused send tried again in one request() call: no harm done
      .request(35 * H, 'accepted') // a reminder 5 h after an unanswered opt-in
      .request(60 * H, 'accepted').reply(61 * H, 'reject').inbound(70 * H).request(71 * H, 'accepted');
    expect(run.check()).toEqual([]);
  });

  describe('quota exceeded', () => {
    it('flags a send while the rolling window already holds the quota', () => {
      const run = new Run().inbound(0).request(0, 'accepted').inbound(5 * H).request(5 * H, 'accepted').inbound(10 * H).request(10 * H, 'refused');
      expect(run.check()).toEqual([{ kind: 'quota_exceeded', thread, at: 10 * H }]);
    });

    it('accepts the same send once the oldest opt-in left the window', () => {
      const run = new Run().inbound(0).request(0, 'accepted').inbound(5 * H).request(5 * H, 'accepted').inbound(24 * H).request(24 * H, 'accepted');
      expect(run.kinds()).toEqual([]);
    });
  });

  describe('connects', () => {
    it('flags a connect that reached Meta while it held no live permission, and only that one', () => {
      const run = new Run().connect(5, { permitted: false, overQuota: false }).connect(6, { permitted: true, overQuota: false });
      expect(run.check()).toEqual([{ kind: 'call_without_permission', thread, at: 5 }]);
    });

    it('flags a connect over the connected-call quota at Meta', () => {
      const run = new Run().connect(5, { permitted: true, overQuota: true }).connect(7, { permitted: true, overQuota: false });
      expect(run.check()).toEqual([{ kind: 'call_over_quota', thread, at: 5 }]);
    });
  });

  describe('one reservation sent twice (at most once)', () => {
    it('flags one request() call that sent again after Meta accepted', () => {
      expect(new Run().inbound(0).request(0, 'accepted', 'accepted').kinds()).toContain('reservation_sent_twice');
    });

    it('flags one request() call that sent again after an ambiguous failure (Meta may have acted)', () => {
      expect(new Run().inbound(0).request(0, 'fault', 'accepted').kinds()).toEqual(['reservation_sent_twice']);
    });

    it('flags a send that belongs to no request() call, even at the instant of one', () => {
      const run = new Run().inbound(0).request(0).send(0, 'accepted');
      expect(run.check()).toEqual([{ kind: 'reservation_sent_twice', thread, at: 0, detail: 'a send with no request() call of its own' }]);
    });

    it('accepts one send per request() call, and a new try after a send Meta refused', () => {
      expect(new Run().inbound(0).request(0, 'refused', 'accepted').request(5 * H, 'accepted').kinds()).toEqual([]);
    });
  });

  describe('request against the reminder rule', () => {
    it('flags a send less than reminderAfter after an unanswered opt-in, the person silent since', () => {
      const run = new Run().inbound(0).request(0, 'accepted').request(2 * H, 'refused');
      expect(run.check()).toEqual([{ kind: 'against_reminder_rule', thread, at: 2 * H }]);
    });

    it('accepts the reminder after reminderAfter, or once the person wrote, or once they answered', () => {
      expect(new Run().inbound(0).request(0, 'accepted').request(4 * H, 'accepted').kinds()).toEqual([]);
      expect(new Run().inbound(0).request(0, 'accepted').inbound(H).request(2 * H, 'accepted').kinds()).toEqual([]);
      expect(new Run().inbound(0).request(0, 'accepted').reply(H, 'approve').request(2 * H, 'accepted').kinds()).toEqual([]);
    });

    it('counts from the last opt-in Meta accepted, not from a refused send', () => {
      expect(new Run().inbound(0).request(0, 'refused').request(H, 'accepted').kinds()).toEqual([]);
    });
  });

  describe('request against the decline rule', () => {
    it('next_message: flags a send after a Decline before the person wrote again', () => {
      const run = new Run().inbound(0).request(0, 'accepted').reply(H, 'reject').request(30 * H, 'refused');
      expect(run.check()).toEqual([{ kind: 'against_decline_rule', thread, at: 30 * H, detail: 'before the next message' }]);
    });

    it('next_message: accepts a send once the person wrote after the Decline', () => {
      expect(new Run().inbound(0).request(0, 'accepted').reply(H, 'reject').inbound(2 * H).request(2 * H, 'accepted').kinds()).toEqual([]);
    });

    it('a duration: flags a send before it elapsed even if the person wrote, accepts one after', () => {
      const twoDays = { ...rules, afterDeclineMs: 48 * H };
      const early = new Run().inbound(0).request(0, 'accepted').reply(H, 'reject').inbound(30 * H).request(30 * H, 'accepted');
      expect(early.kinds(twoDays)).toEqual(['against_decline_rule']);
      const late = new Run().inbound(0).request(0, 'accepted').reply(H, 'reject').inbound(50 * H).request(50 * H, 'accepted');
      expect(late.kinds(twoDays)).toEqual([]);
    });
  });

  type Step = { readonly kind: 'inbound' } | { readonly kind: 'advance'; readonly hours: number } | { readonly kind: 'reply'; readonly approve: boolean }
    | { readonly kind: 'wish'; readonly accepted: boolean };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.constant({ kind: 'inbound' } as const),
    fc.integer({ min: 1, max: 30 }).map((hours) => ({ kind: 'advance', hours }) as const),
    fc.boolean().map((approve) => ({ kind: 'reply', approve }) as const),
    fc.boolean().map((accepted) => ({ kind: 'wish', accepted }) as const),
  );

  /** A host that keeps every rule: it sends only when the quota, the reminder and the decline rules allow, once per request(). */
  const politeRun = (steps: readonly Step[]): Run => {
    const run = new Run();
    let t = 0;
    let pending: { at: number; wrote: boolean } | null = null;
    let declined: { wrote: boolean } | null = null;
    for (const s of steps) {
      if (s.kind === 'advance') t += s.hours * H;
      else if (s.kind === 'inbound') {
        run.inbound(t);
        if (pending) pending.wrote = true;
        if (declined) declined.wrote = true;
      } else if (s.kind === 'reply') {
        if (pending === null) continue; // only an opt-in can be answered
        run.reply(t, s.approve ? 'approve' : 'reject');
        pending = null;
        declined = s.approve ? null : { wrote: false };
      } else {
        const used = run.optIns.filter((o) => o.at > t - 24 * H).length;
        const reminderOk = pending === null || pending.wrote || t >= pending.at + rules.reminderAfterMs;
        const declineOk = declined === null || declined.wrote;
        if (used >= 2 || !reminderOk || !declineOk) {
          run.request(t); // refused by the host: nothing sent
          continue;
        }
        run.request(t, s.accepted ? 'accepted' : 'refused');
        if (s.accepted) pending = { at: t, wrote: false };
      }
    }
    return run;
  };

  it('property: a host that keeps the rules is never reported', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
      expect(politeRun(steps).check()).toEqual([]);
    }));
  });

  it('property: sending an accepted opt-in again in the same request() call is always reported', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
      const run = politeRun(steps);
      const last = run.requestCalls.at(-1);
      if (last === undefined) return;
      run.requestCalls.pop();
      run.request(last.at, 'accepted', 'accepted');
      expect(run.kinds()).toContain('reservation_sent_twice');
    }));
  });

  it('property: a second send right after an accepted opt-in, the person silent, breaks the reminder rule', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
      const run = politeRun(steps);
      const t = (run.sends.at(-1)?.at ?? 0) + 30 * H;
      run.request(t, 'accepted').request(t + H, 'refused');
      expect(run.check().filter((v) => v.at === t + H).map((v) => v.kind)).toContain('against_reminder_rule');
    }));
  });
});
