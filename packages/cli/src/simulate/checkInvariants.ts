import { durationMs, threadKey, type Instant, type Thread } from '@callperm/core';
import type { FakeGraphApi, FakeRequest } from '@callperm/testing';

/** One broken promise, found in Meta's records (the fake's), not in the host's beliefs. */
export interface Violation {
  readonly kind: 'quota_exceeded' | 'call_without_permission' | 'opt_in_sent_twice';
  readonly thread: Thread;
  readonly at: Instant;
}

/** A call the business placed because the host said it was allowed, with Meta's view at that instant. */
export interface PlacedCallRecord {
  readonly thread: Thread;
  readonly at: Instant;
  /** Whether Meta held a live permission for the thread right then. */
  readonly metaHadPermission: boolean;
}

/** What the checks read: the fake's logs, the calls placed, and when each opt-in was answered. */
export interface InvariantInputs {
  readonly fake: Pick<FakeGraphApi, 'requests' | 'optIns' | 'threads'>;
  readonly calls: readonly PlacedCallRecord[];
  /** Opt-in message id -> when the person answered it (null: never). */
  readonly answeredAt: ReadonlyMap<string, Instant | null>;
}

const recipientOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null) return undefined;
  let r: unknown = (body as { recipient?: unknown }).recipient;
  if (typeof r === 'string') {
    try {
      r = JSON.parse(r) as unknown;
    } catch {
      return undefined;
    }
  }
  const id = typeof r === 'object' && r !== null ? (r as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
};

/** Opt-in sends per thread, in arrival order. */
const sendsByThread = (requests: readonly FakeRequest[]): Map<string, { thread: Thread; at: Instant }[]> => {
  const by = new Map<string, { thread: Thread; at: Instant }[]>();
  for (const r of requests) {
    const psid = r.endpoint === 'send' ? recipientOf(r.body) : undefined;
    if (psid === undefined || r.pageId === undefined) continue;
    const thread = { pageId: r.pageId, psid };
    const list = by.get(threadKey(thread)) ?? [];
    list.push({ thread, at: r.at });
    by.set(threadKey(thread), list);
  }
  return by;
};

/**
 * Checks a run against the three promises, from Meta's side only:
 * - **quota exceeded**: the host asked Meta for an opt-in while the thread
 *   already had `max` accepted opt-ins in the rolling window (Meta's count);
 * - **call without a live permission**: the business called because the host
 *   allowed it, and Meta held no live permission for the thread at that instant;
 * - **opt-in sent twice**: a second opt-in reached the person while the first was
 *   unanswered and less than the pending-reply timeout old.
 *
 * @example
 * const violations = checkInvariants({ fake, calls, answeredAt }, fake.threads.rules.optInQuota);
 * violations.length; // 0
 */
export const checkInvariants = (
  inputs: InvariantInputs,
  quota: { readonly period: string; readonly max: number },
  pendingReplyTimeoutMs = durationMs('PT24H'),
): Violation[] => {
  const violations: Violation[] = [];
  const windowMs = durationMs(quota.period);
  const acceptedBy = new Map<string, Instant[]>();
  for (const o of inputs.fake.optIns) {
    const list = acceptedBy.get(threadKey(o.thread)) ?? [];
    list.push(o.at);
    acceptedBy.set(threadKey(o.thread), list);
  }

  for (const [key, sends] of sendsByThread(inputs.fake.requests)) {
    const accepted = acceptedBy.get(key) ?? [];
    let matched = 0;
    for (const send of sends) {
      const used = accepted.slice(0, matched).filter((a) => a > send.at - windowMs).length;
      if (used >= quota.max) violations.push({ kind: 'quota_exceeded', thread: send.thread, at: send.at });
      if (accepted[matched] === send.at) matched += 1;
    }
  }

  for (const c of inputs.calls) {
    if (!c.metaHadPermission) violations.push({ kind: 'call_without_permission', thread: c.thread, at: c.at });
  }

  const byThread = new Map<string, { thread: Thread; at: Instant; messageId: string }[]>();
  for (const o of inputs.fake.optIns) {
    const list = byThread.get(threadKey(o.thread)) ?? [];
    list.push({ thread: o.thread, at: o.at, messageId: o.messageId });
    byThread.set(threadKey(o.thread), list);
  }
  for (const list of byThread.values()) {
    for (let i = 1; i < list.length; i += 1) {
      const prev = list[i - 1]!;
      const next = list[i]!;
      const answered = inputs.answeredAt.get(prev.messageId) ?? null;
      const unanswered = answered === null || answered > next.at;
      if (unanswered && next.at < prev.at + pendingReplyTimeoutMs) {
        violations.push({ kind: 'opt_in_sent_twice', thread: next.thread, at: next.at });
      }
    }
  }
  return violations.sort((a, b) => a.at - b.at || threadKey(a.thread).localeCompare(threadKey(b.thread)) || a.kind.localeCompare(b.kind));
};
