import type { Decision } from '../decide.js';
import { decide } from '../decide.js';
import { emptyRecord, type PermissionRecord } from '../machine/PermissionRecord.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import { fastStep } from '../machine/fastStep.js';
import type { Effect } from '../machine/step.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { DocKind } from '../ports/VersionedDoc.js';
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
    const what = 'kind' in target ? `the ${target.kind} document ${JSON.stringify(target.key)}` : `page ${target.pageId}, psid ${target.psid}`;
    super(`Gave up writing ${what} after ${attempts} compare-and-set conflicts; another writer keeps updating it. Retry the command.`);
    this.name = 'ContentionError';
    this.thread = 'kind' in target ? null : target;
    this.doc = 'kind' in target ? target : null;
  }
}

export interface CommitDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  readonly policy: ResolvedPolicy;
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

/** A transition notice whose `reason` (the decision after the commit) is worked out when an observer reads it. */
const withReason = (n: TransitionNotice, result: Committed): TransitionNotice => ({
  thread: n.thread, from: n.from, to: n.to, event: n.event, at: n.at,
  get reason() {
    return result.decision.reason;
  },
});

/**
 * The one way a record changes: load, step the machine (compiled: `fastStep`) through the events the
 * command builds for this instant, compare-and-set on the loaded version, and on
 * a conflict start again from the fresh record. Observers hear only committed steps.
 *
 * @example
 * await commitSteps(deps, thread, (now) => [{ type: 'TICK', at: now }]);
 */
export const commitSteps = async (
  deps: CommitDeps,
  thread: Thread,
  build: (now: Instant, record: PermissionRecord) => readonly PermissionEvent[],
): Promise<Committed> => {
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const loaded = await deps.store.get(thread);
    const version = loaded?.version ?? 0;
    const start = loaded?.record ?? emptyRecord();
    const now = deps.clock.now();
    const s = stepThrough(deps, thread, start, build(now, start));
    if (!s.wrote) return new CommittedResult(start, version, now, false, s.effects, deps.policy);
    const cas = await deps.store.compareAndSet(thread, version, s.record);
    if (!cas.ok) continue;
    const result = new CommittedResult(s.record, cas.version, now, true, s.effects, deps.policy);
    announce(deps, s.notices, result);
    return result;
  }
  throw new ContentionError(thread, deps.maxAttempts);
};

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
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const loaded = await deps.store.get(thread);
    const version = loaded?.version ?? 0;
    const now = deps.clock.now();
    const s = stepThrough(deps, thread, loaded?.record ?? emptyRecord(), events);
    const c = await deps.store.commitThread({
      thread, expectedVersion: version, record: s.wrote ? s.record : null, eventIds: ids, now, until: now + deps.policy.dedupeTtlMs,
    });
    if (!c.ok) continue;
    if (s.notices.length > 0) announce(deps, s.notices, new CommittedResult(s.record, c.version, now, true, s.effects, deps.policy));
    return { changed: s.changed, first: c.first };
  }
  throw new ContentionError(thread, deps.maxAttempts);
};

/** Tells the observer, if any, of each committed transition. */
const announce = (deps: CommitDeps, notices: readonly TransitionNotice[], result: Committed): void => {
  if (deps.notify === null) return;
  for (const n of notices) deps.notify(withReason(n, result));
};

/**
 * Steps `start` through `events` with the compiled machine: the end record, its
 * effects, which events changed it, whether any did, and the notices (built only
 * when an observer listens).
 */
const stepThrough = (deps: CommitDeps, thread: Thread, start: PermissionRecord, events: readonly PermissionEvent[]) => {
  let record = start;
  const effects: Effect[] = [];
  const notices: TransitionNotice[] = [];
  const changed: boolean[] = [];
  for (const event of events) {
    const r = fastStep(record, event, deps.policy);
    changed.push(r.changed);
    if (!r.changed) continue;
    record = r.record;
    for (const e of r.effects) effects.push(e);
    if (deps.notify !== null) notices.push({ thread, from: r.from, to: r.to, event: event.type, at: event.at, reason: null });
  }
  return { record, effects, notices, changed, wrote: record !== start };
};
