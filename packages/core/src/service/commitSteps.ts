import type { Decision } from '../decide.js';
import { decide, decisionReason } from '../decide.js';
import { emptyRecord, type PermissionRecord } from '../machine/PermissionRecord.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import { fastStep } from '../machine/fastStep.js';
import type { Effect } from '../machine/step.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { DocKind } from '../ports/VersionedDoc.js';
import type { HistoryEntry, HistorySource } from '../store/HistoryEntry.js';
import type { Instant, Thread } from '../thread.js';
import type { TransitionNotice } from './TransitionNotice.js';

/** What a committed (or empty) batch of steps left behind. */
export interface Committed {
  readonly record: PermissionRecord;
  readonly version: number;
  readonly now: Instant;
  readonly changed: boolean;
  readonly effects: readonly Effect[];
  readonly decision: Decision;
}

/**
 * Contention on one thread (`thread`), or on one side document (`doc`: a call
 * trace, an inbox slot), outlasted the retry budget.
 *
 * @example
 * if (e instanceof ContentionError) console.warn(e.code, e.thread ?? e.doc);
 */
export class ContentionError extends Error {
  readonly code = 'contention' as const;
  readonly thread: Thread | null;
  readonly doc: { readonly kind: DocKind; readonly key: string } | null;
  constructor(target: Thread | { readonly kind: DocKind; readonly key: string }, attempts: number) {
    const what = 'kind' in target ? `the ${target.kind} document ${JSON.stringify(target.key)}` : `page ${JSON.stringify(target.pageId)}, psid ${JSON.stringify(target.psid)}`;
    super(`Gave up writing ${what} after ${attempts} compare-and-set conflicts; another writer keeps updating it. Retry the command.`);
    this.name = 'ContentionError';
    this.thread = 'kind' in target ? null : target;
    this.doc = 'kind' in target ? target : null;
  }
}

export interface CommitDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  /** The policy a thread is judged by (its channel's). */
  readonly policyFor: (thread: Thread) => ResolvedPolicy;
  readonly maxAttempts: number;
  /** Hears each committed transition; null when nobody listens (then no notice is built). */
  readonly notify: ((notice: TransitionNotice) => void) | null;
}

/**
 * A commit's outcome whose decision is worked out on first read: the webhook path
 * never reads it, a command's answer does (once, memoised). A class, so a commit
 * allocates no closure for its getter.
 */
class CommittedResult implements Committed {
  #decision: Decision | undefined;
  constructor(
    readonly record: PermissionRecord,
    readonly version: number,
    readonly now: Instant,
    readonly changed: boolean,
    readonly effects: readonly Effect[],
    private readonly policy: ResolvedPolicy,
  ) {}

  get decision(): Decision {
    this.#decision ??= decide(this.record, this.now, this.policy);
    return this.#decision;
  }
}

/**
 * Where each event of a command came from, for the consent history: one source
 * for all, or one per event (given the record before it).
 */
export type SourceOf = HistorySource | ((event: PermissionEvent, before: PermissionRecord, index: number) => HistorySource);

/**
 * The one way a record changes: load, step the machine (compiled: `fastStep`) through the events the
 * command builds for this instant, compare-and-set on the loaded version with the
 * consent-history entries of the steps, and on a conflict start again from the
 * fresh record. Observers hear only committed steps.
 *
 * @example
 * await commitSteps(deps, thread, (now) => [{ type: 'TICK', at: now }], { kind: 'host' });
 */
export const commitSteps = async (
  deps: CommitDeps,
  thread: Thread,
  build: (now: Instant, record: PermissionRecord) => readonly PermissionEvent[],
  source: SourceOf,
): Promise<Committed> => {
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const loaded = await deps.store.get(thread);
    const version = loaded?.version ?? 0;
    const start = loaded?.record ?? emptyRecord();
    const now = deps.clock.now();
    const s = stepThrough(deps, thread, start, build(now, start), now, source);
    const policy = deps.policyFor(thread);
    if (!s.wrote) return new CommittedResult(start, version, now, false, s.effects, policy);
    const c = await deps.store.commitThread({
      thread, expectedVersion: version, record: s.record, eventIds: NO_IDS, now, until: now, history: s.history, historyBefore: now - policy.historyRetentionMs,
    });
    if (!c.ok) continue;
    const result = new CommittedResult(s.record, c.version, now, true, s.effects, policy);
    announce(deps, s.notices);
    return result;
  }
  throw new ContentionError(thread, deps.maxAttempts);
};

const NO_IDS: readonly string[] = [];

/** A thread's webhook events: their dedupe ids and the machine events they map to, side by side. */
export interface ThreadEvents {
  readonly thread: Thread;
  readonly ids: string[];
  readonly events: PermissionEvent[];
}

/** What {@link commitEvents} did with each event, in order. */
export interface EventsCommitted {
  /** Whether the event changed the record (given the events before it). */
  readonly changed: readonly boolean[];
  /** Whether this store saw the event's id for the first time. */
  readonly first: readonly boolean[];
}

/**
 * Applies a thread's webhook events and remembers their ids in one store call
 * (`commitThread`: the record and the ids together or not at all), retrying
 * from a fresh read on a conflict. Nothing changed still remembers the ids.
 * One round trip for the write and the dedupe of every event of the thread.
 *
 * @example
 * const r = await commitEvents(deps, { thread, ids: ['mid.1'], events: [{ type: 'USER_MESSAGE', at }] });
 */
export const commitEvents = async (deps: CommitDeps, { thread, ids, events }: ThreadEvents): Promise<EventsCommitted> => {
  const source = new WebhookIds(ids);
  const policy = deps.policyFor(thread);
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const loaded = await deps.store.get(thread);
    const version = loaded?.version ?? 0;
    const now = deps.clock.now();
    const s = stepThrough(deps, thread, loaded?.record ?? emptyRecord(), events, now, source);
    const c = await deps.store.commitThread({
      thread, expectedVersion: version, record: s.wrote ? s.record : null, eventIds: ids, now, until: now + policy.dedupeTtlMs,
      history: s.history, historyBefore: now - policy.historyRetentionMs,
    });
    if (!c.ok) continue;
    announce(deps, s.notices);
    return { changed: s.changed, first: c.first };
  }
  throw new ContentionError(thread, deps.maxAttempts);
};

/** Tells the observer, if any, of each committed transition. */
const announce = (deps: CommitDeps, notices: readonly TransitionNotice[]): void => {
  if (deps.notify === null) return;
  for (const n of notices) deps.notify(n);
};

/**
 * Whether a step changed the permission itself (its state, expiry, provisional
 * flag, the evidence behind it, or the pending opt-in): such a step goes into the
 * consent history. One that only moves the messaging window or a check's quota
 * view does not.
 */
const isConsentStep = (before: PermissionRecord, after: PermissionRecord): boolean =>
  before.state !== after.state || before.expiresAt !== after.expiresAt || before.provisional !== after.provisional
  || before.evidence !== after.evidence || before.pending !== after.pending;

const NO_HISTORY: readonly HistoryEntry[] = [];

/** The dedupe ids of a thread's webhook events, side by side with them: each event's source. */
class WebhookIds {
  constructor(readonly ids: readonly string[]) {}
}

/**
 * The source of step `i`: a webhook event's id (and, for a reply, the opt-in
 * that was awaiting it), or what the command said. No closure per commit.
 */
const sourceOfStep = (source: SourceOf | WebhookIds, event: PermissionEvent, before: PermissionRecord, i: number): HistorySource => {
  if (source instanceof WebhookIds) {
    const optIn = event.type === 'REPLY_APPROVE' || event.type === 'REPLY_REJECT' ? before.pending?.messageId ?? null : null;
    return { kind: 'webhook', eventId: source.ids[i] ?? '', optInMessageId: optIn };
  }
  return typeof source === 'function' ? source(event, before, i) : source;
};

/**
 * Steps `start` through `events` with the compiled machine: the end record, its
 * effects, which events changed it, whether any did, the history entries of the
 * consent steps, and the notices (built only when an observer listens).
 */
const stepThrough = (
  deps: CommitDeps, thread: Thread, start: PermissionRecord, events: readonly PermissionEvent[], now: Instant,
  source: SourceOf | WebhookIds,
) => {
  let record = start;
  const policy = deps.policyFor(thread);
  const effects: Effect[] = [];
  const notices: TransitionNotice[] = [];
  const changed: boolean[] = [];
  let history: HistoryEntry[] | null = null;
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i]!;
    const r = fastStep(record, event, policy);
    changed.push(r.changed);
    if (!r.changed) continue;
    const before = record;
    record = r.record;
    for (const e of r.effects) effects.push(e);
    const recorded = isConsentStep(before, record);
    if (!recorded && deps.notify === null) continue;
    const entry: HistoryEntry = {
      at: event.at, recordedAt: now, from: r.from, to: r.to, event: event.type, source: sourceOfStep(source, event, before, i),
      expiresAt: record.expiresAt, provisional: record.provisional, reason: decisionReason(record, now, policy),
    };
    if (recorded) (history ??= []).push(entry);
    if (deps.notify !== null) notices.push({ ...entry, thread, from: r.from, event: event.type, recorded });
  }
  return { record, effects, notices, changed, history: history ?? NO_HISTORY, wrote: record !== start };
};
