import { channelOf, durationMs, threadKey, type Instant, type QuotaWindow, type Thread } from '@callperm/core';
import type { FakeCall, FakeGraphApi, FakeInbound, FakeReply, FakeSend } from '@callperm/testing';

/**
 * The promises a run is held to:
 * - `quota_exceeded`: an opt-in sent while the thread already had the quota's
 *   worth of accepted opt-ins in the rolling window (Meta's count); on WhatsApp,
 *   a request sent while the pair's accepted requests since its last connected
 *   call (a call someone picked up, either direction) already filled any of the
 *   request limits (1 per rolling 24 h, 2 per rolling 7 days);
 * - `call_without_permission`: a connect reached Meta (every connect of a run
 *   comes from `startCall`, so the host decided it) while Meta held no live
 *   permission for the thread;
 * - `call_over_quota`: a connect reached Meta while the thread's connected-call
 *   quota was used up there;
 * - `reservation_sent_twice`: at most once broken, one reservation (one
 *   `request()` call) reached Meta twice, or a send reached Meta with no
 *   `request()` call of its own;
 * - `against_reminder_rule`: a send while the previous accepted opt-in was
 *   unanswered, less than `reminderAfter` after it, the person silent since;
 * - `against_decline_rule`: a send after a Decline before the person wrote again
 *   (`afterDecline: next_message`) or before `afterDecline` elapsed.
 */
export type ViolationKind =
  | 'quota_exceeded' | 'call_without_permission' | 'call_over_quota' | 'reservation_sent_twice' | 'against_reminder_rule' | 'against_decline_rule';

/** One broken promise, found in Meta's records (the fake's), not in the host's beliefs. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly thread: Thread;
  readonly at: Instant;
  /** What exactly, when the kind has more than one form. */
  readonly detail?: string;
}

/**
 * One `request()` call the host made: one reservation. The fake's records with
 * `fromSeq < seq <= toSeq` happened during it (the host notes `fake.lastSeq()`
 * before and after the call), so each send names the call it belongs to.
 */
export interface RequestCallRecord {
  readonly thread: Thread;
  readonly at: Instant;
  readonly fromSeq: number;
  readonly toSeq: number;
}

/**
 * What the checks read: the fake's records (connects included; `calls`, to find
 * the connected calls that reset WhatsApp's request limits) and the host's `request()` calls.
 */
export interface InvariantInputs {
  readonly fake: Pick<FakeGraphApi, 'sends' | 'optIns' | 'inbounds' | 'replies' | 'connects'> & { readonly calls?: readonly FakeCall[] };
  readonly requestCalls: readonly RequestCallRecord[];
}

/** The policy the run was held to (core's `ResolvedPolicy` has these fields). */
export interface InvariantRules {
  readonly quota: QuotaWindow;
  readonly reminderAfterMs: number;
  /** Null: after a Decline, wait for the person's next message. */
  readonly afterDeclineMs: number | null;
  /** The rules WhatsApp threads are held to (`whatsappPolicy` and the fake's WhatsApp rules); absent: the ones above. */
  readonly whatsapp?: WhatsAppInvariantRules;
}

/** WhatsApp's: several request limits per pair, reset by a connected call, and the policy's reminder and decline rules. */
export interface WhatsAppInvariantRules {
  /** The fake's `whatsapp.rules.requestLimits`: 1 per PT24H and 2 per P7D. */
  readonly requestLimits: readonly QuotaWindow[];
  readonly reminderAfterMs: number;
  readonly afterDeclineMs: number | null;
}

/** One thread's records from Meta's side, each list in record order. */
interface ThreadRecords {
  readonly sends: FakeSend[];
  readonly inbounds: FakeInbound[];
  readonly replies: FakeReply[];
}

/** The thread of a send (its recipient given): a WhatsApp send's carries the channel, as the person's records do. */
const sendThread = (s: FakeSend, psid: string): Thread =>
  s.channel === 'whatsapp' ? { channel: 'whatsapp', pageId: s.pageId, psid } : { pageId: s.pageId, psid };

const group = (fake: InvariantInputs['fake']): Map<string, ThreadRecords> => {
  const by = new Map<string, ThreadRecords>();
  const of = (t: Thread): ThreadRecords => {
    const key = threadKey(t);
    let r = by.get(key);
    if (r === undefined) by.set(key, (r = { sends: [], inbounds: [], replies: [] }));
    return r;
  };
  for (const s of fake.sends) if (s.psid !== undefined) of(sendThread(s, s.psid)).sends.push(s);
  for (const i of fake.inbounds) of(i.thread).inbounds.push(i);
  for (const r of fake.replies) of(r.thread).replies.push(r);
  for (const r of by.values()) {
    r.sends.sort((a, b) => a.seq - b.seq);
    r.inbounds.sort((a, b) => a.seq - b.seq);
    r.replies.sort((a, b) => a.seq - b.seq);
  }
  return by;
};

/** At most once: each send belongs to a `request()` call of its thread, and no call sends again after Meta may have acted. */
const reservations = (sends: readonly FakeSend[], mine: readonly RequestCallRecord[], thread: Thread, out: Violation[]): void => {
  const seen = new Map<RequestCallRecord, FakeSend[]>();
  for (const s of sends) {
    const call = mine.find((c) => c.fromSeq < s.seq && s.seq <= c.toSeq);
    if (call === undefined) {
      out.push({ kind: 'reservation_sent_twice', thread, at: s.at, detail: 'a send with no request() call of its own' });
      continue;
    }
    const before = seen.get(call) ?? [];
    // A send after one Meta refused is a new try of a send that provably did nothing; after any other, a duplicate.
    if (before.some((b) => b.outcome !== 'refused')) {
      out.push({ kind: 'reservation_sent_twice', thread, at: s.at, detail: 'one request() call sent again after a send Meta may have acted on' });
    }
    seen.set(call, [...before, s]);
  }
};

/** The reminder and decline rules, from the opt-ins Meta accepted and the person's messages and replies. */
const pacing = (r: ThreadRecords, thread: Thread, rules: Pick<InvariantRules, 'reminderAfterMs' | 'afterDeclineMs'>, out: Violation[]): void => {
  const wroteBetween = (fromSeq: number, toSeq: number): boolean => r.inbounds.some((i) => i.seq > fromSeq && i.seq < toSeq);
  for (const s of r.sends) {
    const prev = r.sends.filter((p) => p.outcome === 'accepted' && p.seq < s.seq).at(-1);
    if (prev !== undefined) {
      const answered = r.replies.some((x) => x.seq > prev.seq && x.seq < s.seq);
      if (!answered && s.at < prev.at + rules.reminderAfterMs && !wroteBetween(prev.seq, s.seq)) {
        out.push({ kind: 'against_reminder_rule', thread, at: s.at });
      }
    }
    const last = r.replies.filter((x) => x.seq < s.seq).at(-1);
    if (last?.response === 'reject') {
      const early = rules.afterDeclineMs === null ? !wroteBetween(last.seq, s.seq) : s.at < last.at + rules.afterDeclineMs;
      if (early) out.push({ kind: 'against_decline_rule', thread, at: s.at, detail: rules.afterDeclineMs === null ? 'before the next message' : 'before afterDecline elapsed' });
    }
  }
};

/** The quota, counted on the opt-ins Meta accepted before each send. */
const quota = (sends: readonly FakeSend[], thread: Thread, q: QuotaWindow, out: Violation[]): void => {
  const windowMs = durationMs(q.period);
  for (const s of sends) {
    const used = sends.filter((a) => a.outcome === 'accepted' && a.seq < s.seq && a.at > s.at - windowMs).length;
    if (used >= q.max) out.push({ kind: 'quota_exceeded', thread, at: s.at });
  }
};

/**
 * WhatsApp's request limits, counted on the requests Meta accepted since the
 * pair's last connected call. `resets` are the instants calls on the pair were
 * picked up; a reset applies to a send at or after its instant, and a request at
 * the reset's instant counts as after it (the simulation settles Meta's events
 * due at an instant before the host acts at it; if it were the other way round,
 * this would flag more, never less).
 */
const whatsappQuota = (sends: readonly FakeSend[], resets: readonly Instant[], thread: Thread, limits: readonly QuotaWindow[], out: Violation[]): void => {
  for (const s of sends) {
    const since = resets.filter((r) => r <= s.at).reduce((a, b) => Math.max(a, b), -Infinity);
    const counted = sends.filter((a) => a.outcome === 'accepted' && a.seq < s.seq && a.at >= since);
    if (limits.some((q) => counted.filter((a) => a.at > s.at - durationMs(q.period)).length >= q.max)) {
      out.push({ kind: 'quota_exceeded', thread, at: s.at });
    }
  }
};

/** When calls on each WhatsApp pair were picked up (WhatsApp's reset of the request limits), by thread key. */
const whatsappResets = (calls: readonly FakeCall[]): Map<string, Instant[]> => {
  const by = new Map<string, Instant[]>();
  for (const c of calls) {
    if (channelOf(c.thread) !== 'whatsapp' || c.answeredAt === null) continue;
    const key = threadKey(c.thread);
    by.set(key, [...(by.get(key) ?? []), c.answeredAt]);
  }
  return by;
};

/**
 * Checks a run against its promises (see {@link ViolationKind}) from Meta's side
 * only: the fake's records of sends (accepted, refused or faulted), the person's
 * messages and replies and its connects, in record order, plus the host's
 * `request()` calls to tell reservations apart. WhatsApp threads (sends with
 * `channel: 'whatsapp'`) are held to `rules.whatsapp` when given: the request
 * limits with resets read from the fake's `calls`, and WhatsApp's reminder and
 * decline rules; the connect checks read the facts Meta recorded on either channel.
 *
 * @example
 * const rules = { quota: fake.threads.rules.optInQuota, reminderAfterMs: 4 * HOUR, afterDeclineMs: null };
 * checkInvariants({ fake, requestCalls }, rules).length; // 0
 */
export const checkInvariants = (inputs: InvariantInputs, rules: InvariantRules): Violation[] => {
  const violations: Violation[] = [];
  const callsBy = new Map<string, RequestCallRecord[]>();
  for (const c of inputs.requestCalls) callsBy.set(threadKey(c.thread), [...(callsBy.get(threadKey(c.thread)) ?? []), c]);
  const resets = whatsappResets(inputs.fake.calls ?? []);
  for (const [key, r] of group(inputs.fake)) {
    const first = r.sends[0] ?? r.inbounds[0] ?? r.replies[0];
    if (first === undefined || r.sends.length === 0) continue;
    const thread = 'thread' in first ? first.thread : sendThread(first, first.psid ?? '');
    const wa = channelOf(thread) === 'whatsapp' ? rules.whatsapp : undefined;
    if (wa === undefined) quota(r.sends, thread, rules.quota, violations);
    else whatsappQuota(r.sends, resets.get(key) ?? [], thread, wa.requestLimits, violations);
    reservations(r.sends, callsBy.get(key) ?? [], thread, violations);
    pacing(r, thread, wa ?? rules, violations);
  }
  for (const c of inputs.fake.connects) {
    if (c.thread === null) continue;
    if (!c.permitted) violations.push({ kind: 'call_without_permission', thread: c.thread, at: c.at });
    if (c.overQuota) violations.push({ kind: 'call_over_quota', thread: c.thread, at: c.at });
  }
  return violations.sort((a, b) => a.at - b.at || threadKey(a.thread).localeCompare(threadKey(b.thread)) || a.kind.localeCompare(b.kind));
};
