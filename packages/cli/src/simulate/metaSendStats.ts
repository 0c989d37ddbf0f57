import { threadKey } from '@callperm/core';
import type { FakeGraphApi, FakeSendRefusal } from '@callperm/testing';

/** The refusal reasons the summary names; every other refusal counts as `other`. */
export type RefusalBucket = 'outside_window' | 'request_limit' | 'person_unavailable' | 'calling_not_enabled' | 'other';

/** The buckets in the order the summary prints them. */
export const refusalBuckets: readonly RefusalBucket[] = ['outside_window', 'request_limit', 'person_unavailable', 'calling_not_enabled', 'other'];

const bucketOf = (r: FakeSendRefusal | undefined): RefusalBucket =>
  r === 'outside_window' || r === 'request_limit' || r === 'person_unavailable' || r === 'calling_not_enabled' ? r : 'other';

/** Opt-in sends as Meta saw them, from the fake's records. */
export interface MetaSendStats {
  /** Every opt-in send that reached Meta, whatever became of it. */
  readonly sends: number;
  readonly accepted: number;
  /** Sends Meta refused (it sent nothing), by reason. */
  readonly refused: Readonly<Record<RefusalBucket, number>>;
  /** Sends an injected fault stopped before Meta acted. */
  readonly faulted: number;
  /** The most refusals one thread got between two messages from its person (until they wrote again). */
  readonly maxRefusalsBeforeNextMessage: number;
  /** Threads that got more than one refusal between two messages. */
  readonly threadsRefusedAgainBeforeNextMessage: number;
  /** People's answers Meta recorded. */
  readonly approvals: number;
  readonly declines: number;
  /** Every Graph request Meta received (checks, batches and feature status included). */
  readonly graphRequests: number;
  /** `graphRequests` per accepted opt-in (null when none was accepted). */
  readonly graphRequestsPerOptIn: number | null;
}

/**
 * Counts a run's opt-in sends from Meta's side: accepted, refused by reason,
 * faulted; how often one thread was refused again before its person wrote; the
 * answers; and how many Graph requests each accepted opt-in cost.
 *
 * @example
 * const s = metaSendStats(fake);
 * s.refused.person_unavailable / s.sends; // the share refused because the person was unavailable
 */
export const metaSendStats = (fake: Pick<FakeGraphApi, 'sends' | 'inbounds' | 'replies' | 'requests'>): MetaSendStats => {
  const refused: Record<RefusalBucket, number> = { outside_window: 0, request_limit: 0, person_unavailable: 0, calling_not_enabled: 0, other: 0 };
  let accepted = 0;
  let faulted = 0;
  // Refusals since the person last wrote, per thread, walked in record order.
  const events: { seq: number; key: string; refusal: boolean }[] = [];
  for (const s of fake.sends) {
    if (s.outcome === 'accepted') accepted += 1;
    else if (s.outcome === 'fault') faulted += 1;
    else {
      refused[bucketOf(s.refusal)] += 1;
      if (s.psid !== undefined) {
        // A WhatsApp send's thread carries the channel, as the person's messages to the number do.
        const thread = s.channel === 'whatsapp' ? { channel: 'whatsapp' as const, pageId: s.pageId, psid: s.psid } : { pageId: s.pageId, psid: s.psid };
        events.push({ seq: s.seq, key: threadKey(thread), refusal: true });
      }
    }
  }
  for (const i of fake.inbounds) events.push({ seq: i.seq, key: threadKey(i.thread), refusal: false });
  events.sort((a, b) => a.seq - b.seq);
  const run = new Map<string, number>();
  const repeated = new Set<string>();
  let max = 0;
  for (const e of events) {
    const n = e.refusal ? (run.get(e.key) ?? 0) + 1 : 0;
    run.set(e.key, n);
    max = Math.max(max, n);
    if (n > 1) repeated.add(e.key);
  }
  const approvals = fake.replies.filter((r) => r.response === 'approve').length;
  return {
    sends: fake.sends.length, accepted, refused, faulted,
    maxRefusalsBeforeNextMessage: max,
    threadsRefusedAgainBeforeNextMessage: repeated.size,
    approvals, declines: fake.replies.length - approvals,
    graphRequests: fake.requests.length,
    graphRequestsPerOptIn: accepted === 0 ? null : fake.requests.length / accepted,
  };
};
