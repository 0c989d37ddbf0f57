import { decide, type Decision } from '../decide.js';
import type { DecisionReason } from '../machine/DecisionReason.js';
import { emptyRecord } from '../machine/PermissionRecord.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import { messengerPolicy, resolvePolicy, type Policy, type ResolvedPolicy } from '../policy.js';
import { systemClock, type Clock } from '../ports/Clock.js';
import type { GraphApi, GraphFailure, SentOptIn } from '../ports/GraphApi.js';
import type { CasResult, PermissionStore } from '../ports/PermissionStore.js';
import { err, ok, type Result } from '../result.js';
import { implicitGrantOf } from '../calls/implicitGrantOf.js';
import type { Thread } from '../thread.js';
import type { CallEvent, WebhookEvent } from '../webhookEvent.js';
import { commitEvents, commitSteps, type CommitDeps, type EventsCommitted, type ThreadEvents } from './commitSteps.js';
import { completeInbox, putInbox, type InboxDeps, type InboxTicket } from './inbox.js';
import { listMovedAside, replayMovedAside, type MovedAsideEntry } from './inboxAside.js';
import { processInbox } from './processInbox.js';
import { DEFAULT_CALL_TRACE_TTL_MS, recordCallEvent, type CallTraceDeps } from './recordCallEvent.js';
import { runSweep, type SweepOptions, type SweepReport } from './sweep.js';
import { toPermissionEvent } from './toPermissionEvent.js';
import type { TransitionNotice } from './TransitionNotice.js';
import type { HistoryQuery } from '../ports/PermissionStore.js';
import { admissionDefaults, admitEvents, type AdmissionLimits } from '../codecs/admitEvents.js';
import type { RefusalCounts } from '../codecs/DecodeReport.js';
import type { HistoryEntry, HistorySource } from '../store/HistoryEntry.js';
import { threadPairKey } from '../store/pairKey.js';

const HOST: HistorySource = { kind: 'host' };

/** Options of {@link createCallPermissions}. */
export interface CallPermissionsOptions {
  readonly graph: GraphApi;
  readonly store: PermissionStore;
  readonly clock?: Clock;
  readonly policy?: Policy;
  /** Hears every committed transition. Errors it throws are swallowed: observers cannot break a command. */
  readonly onTransition?: (notice: TransitionNotice) => void;
  /** Compare-and-set attempts per command before giving up with `ContentionError` (default 32). */
  readonly maxAttempts?: number;
  /**
   * How long a delivery recorded in the inbox is left to the host that received it
   * before any host's `sweep` applies it (ms, default 30 000).
   */
  readonly inboxGraceMs?: number;
  /**
   * How long a call's trace (what its `calls` webhooks said so far) is kept after
   * its last change, so items of one call that reach different hosts, or arrive
   * across a restart, are correlated (ms, default `DEFAULT_CALL_TRACE_TTL_MS`, 2 days).
   */
  readonly callTraceTtlMs?: number;
  /**
   * What `ingest` admits from one call (one delivery): events whose instant lies in
   * [now − `horizonMs`, now + `skewMs`], at most `maxEventsPerDelivery` events over at
   * most `maxThreadsPerDelivery` threads, with bounded, well-formed ids. Default
   * {@link admissionDefaults}: 7 days, 5 minutes, 2000 and 2000.
   */
  readonly admission?: Partial<AdmissionLimits>;
}

/** A thread's decision now, with the stored version it was read at (0 = nothing stored). */
export type ThreadStatus = Decision & { readonly thread: Thread; readonly version: number };

/** Why `request` sent nothing, or what became of what it sent. */
export type RequestError =
  | { readonly reason: DecisionReason; readonly decision: Decision }
  /** Meta refused the opt-in and did not process it: the quota slot was given back. */
  | { readonly reason: 'send_failed'; readonly failure: GraphFailure; readonly decision: Decision }
  /** Meta may or may not have processed it: the slot stays spent until `refresh` reconciles. */
  | { readonly reason: 'send_ambiguous'; readonly failure: GraphFailure; readonly decision: Decision };

/**
 * Counts of what `ingest` did. A `calls` item counts as applied (or unchanged) when
 * its call, with what was stored of it before, implies a grant; otherwise ignored.
 */
export interface IngestReport {
  /** Events that changed their thread. */
  readonly applied: number;
  /** Events already reflected (stale, or replays Meta sent again). */
  readonly unchanged: number;
  /** Event ids this store had already processed. */
  readonly duplicates: number;
  /** Events with no permission meaning (yet): call items that imply no grant, `media_update`. */
  readonly ignored: number;
  /**
   * Events refused before anything was stored, by reason: ids too long or not
   * well-formed, instants outside [now − horizon, now + skew], past the
   * per-delivery caps. The rest of the call was applied.
   */
  readonly refused: RefusalCounts;
}

/**
 * A durable inbox for webhook deliveries that cannot be applied inside Meta's
 * deadline: record, answer 200, apply, then mark done. Anything recorded and not
 * marked done is applied by `sweep` (on any host) after `inboxGraceMs`.
 */
export interface WebhookInbox {
  /** Records the events in the store; resolves once they are durable. */
  put(events: readonly WebhookEvent[]): Promise<InboxTicket>;
  /** Marks a recorded delivery applied: its inbox document is deleted. */
  done(ticket: InboxTicket): Promise<void>;
}

/** The inbox deliveries `sweep` moved aside after `inboxMaxAttempts` failures: kept until replayed. */
export interface InboxAside {
  /** What was moved aside, oldest first (default at most 100). */
  list(limit?: number): Promise<MovedAsideEntry[]>;
  /** Applies a delivery moved aside (by its `inbox_aside` key) and deletes it; false when it is gone already. */
  replay(asideKey: string): Promise<boolean>;
}

/** The service a host embeds. Every method resolves; none rejects for a domain outcome or a Graph error. */
export interface CallPermissions {
  readonly policy: ResolvedPolicy;
  /** The decision for a thread now, from the store alone (no Graph call). */
  status(thread: Thread): Promise<ThreadStatus>;
  /** Whether the Page may call now, and why not. */
  canStartCall(thread: Thread): Promise<{ readonly allowed: boolean; readonly reason: DecisionReason | null; readonly decision: Decision }>;
  /** Reads Meta's view and makes it the truth for status, expiry and quota usage. */
  refresh(thread: Thread): Promise<Result<Decision, { readonly reason: 'graph_failure'; readonly failure: GraphFailure; readonly decision: Decision }>>;
  /** Sends the opt-in if, and only if, the decision allows it; at most once per reserved slot. */
  request(thread: Thread): Promise<Result<SentOptIn & { readonly decision: Decision }, RequestError>>;
  /** Applies decoded webhook events (any order, any number of times). */
  ingest(events: readonly WebhookEvent[]): Promise<IngestReport>;
  /** Applies machine events to one thread directly (simulations, hosts with their own inputs). */
  apply(thread: Thread, events: readonly PermissionEvent[]): Promise<ThreadStatus>;
  /**
   * Runs the follow-ups that have fallen due (remote checks after implicit grants
   * and ambiguous sends, expiry announcements, stranded inbox deliveries), in a
   * bounded batch. Call it on an interval; several hosts may run it at once.
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;
  /**
   * The thread's consent history, newest first: every committed step that changed
   * the permission, with its source (webhook event id, opt-in message id, remote
   * check's `fbtrace_id`, the call behind an implicit grant), the expiry after it
   * and the decision's reason. Kept `policy.historyRetention` after each entry.
   */
  history(thread: Thread, query?: HistoryQuery): Promise<HistoryEntry[]>;
  /**
   * Replaces a thread's row that no longer decodes (a `CorruptRecordError` names
   * its `version`) with an empty record, leaving every other thread as it is;
   * a `refresh` then rebuilds the permission from Meta. A `RESET` entry joins the history.
   */
  reset(thread: Thread, version: number): Promise<CasResult>;
  readonly inbox: WebhookInbox;
  /** Inbox deliveries moved aside by `sweep`: list them, replay them (`callperm inbox list|replay`). */
  readonly inboxAside: InboxAside;
}

/** Counts what `ingest` did, event by event. */
class IngestTally {
  applied = 0;
  unchanged = 0;
  duplicates = 0;
  ignored = 0;

  /** One event: seen before, with no permission meaning (`changed` null), changed its thread or not. */
  count(first: boolean, changed: boolean | null): void {
    if (!first) this.duplicates += 1;
    else if (changed === null) this.ignored += 1;
    else if (changed) this.applied += 1;
    else this.unchanged += 1;
  }

  /** Every event of one thread's commit. */
  add(o: EventsCommitted): void {
    for (let i = 0; i < o.first.length; i += 1) this.count(o.first[i] === true, o.changed[i] === true);
  }

  report(refused: RefusalCounts): IngestReport {
    return { applied: this.applied, unchanged: this.unchanged, duplicates: this.duplicates, ignored: this.ignored, refused };
  }
}

/** Admission limits must be numbers, not negative (a `NaN` would switch a check off). */
const validAdmission = (limits: AdmissionLimits): AdmissionLimits => {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new RangeError(`[callperm] admission.${name} must be a number >= 0`);
    }
  }
  return limits;
};

const asFailure = (e: unknown): GraphFailure => ({
  kind: 'unknown', processed: 'unknown', message: e instanceof Error ? `${e.name}: the Graph adapter threw` : 'the Graph adapter threw',
});

/**
 * Creates the call-permission service over a Graph API, a store and a clock.
 *
 * @example
 * const permissions = createCallPermissions({ graph, store: memoryStore(), policy: messengerPolicy });
 * const thread = { pageId: '1234', psid: '5678' };
 * const sent = await permissions.request(thread);
 * if (!sent.ok) console.log(sent.error.reason); // e.g. 'outside_messaging_window'
 */
export const createCallPermissions = (options: CallPermissionsOptions): CallPermissions => {
  const policy = resolvePolicy(options.policy ?? messengerPolicy);
  const clock = options.clock ?? systemClock;
  const { graph, store, onTransition } = options;
  const deps: CommitDeps = {
    store, clock, policy,
    maxAttempts: options.maxAttempts ?? 32,
    // No observer, no notices: the webhook path then builds none.
    notify: onTransition === undefined ? null : (n) => {
      try {
        onTransition(n);
      } catch {
        // an observer's fault is the observer's: the transition is already stored
      }
    },
  };
  const tick = (now: number): PermissionEvent => ({ type: 'TICK', at: now });
  const inboxDeps: InboxDeps = { store, clock, maxAttempts: deps.maxAttempts, graceMs: options.inboxGraceMs ?? 30_000 };
  const admission = validAdmission({ ...admissionDefaults, ...options.admission });
  const traceDeps: CallTraceDeps = { store, clock, maxAttempts: deps.maxAttempts, traceTtlMs: options.callTraceTtlMs ?? DEFAULT_CALL_TRACE_TTL_MS };

  const status = async (thread: Thread): Promise<ThreadStatus> => {
    const loaded = await store.get(thread);
    const record = loaded?.record ?? emptyRecord();
    return { ...decide(record, clock.now(), policy), thread, version: loaded?.version ?? 0 };
  };

  const refresh: CallPermissions['refresh'] = async (thread) => {
    const startedAt = clock.now(); // what Meta reports reflects at least everything before the call began
    const remote = await graph.checkPermission(thread).catch((e: unknown) => err(asFailure(e)));
    if (!remote.ok) {
      const s = await status(thread);
      return err({ reason: 'graph_failure' as const, failure: remote.error, decision: s });
    }
    const checked: HistorySource = { kind: 'remote_check', fbtraceId: remote.value.fbtraceId ?? null };
    const c = await commitSteps(deps, thread, (now) => [tick(now), { type: 'REMOTE_SYNC', at: Math.min(startedAt, now), remote: remote.value }], checked);
    return ok(c.decision);
  };

  /** A `calls` item: merge it into its call's stored trace, then apply the grant the call implies (null: none). */
  const ingestCall = async (e: CallEvent): Promise<boolean | null> => {
    if (e.event === 'media_update') return null;
    const trace = await recordCallEvent(traceDeps, e);
    const grant = implicitGrantOf(trace);
    const mapped = grant === null ? null : toPermissionEvent(grant);
    if (mapped === null || grant?.kind !== 'implicit_grant') return null;
    return (await commitSteps(deps, mapped.thread, () => [mapped.event], { kind: 'call', callId: e.callId, cause: grant.cause })).changed;
  };

  /**
   * Webhook events grouped by thread: each thread's events are stepped together and
   * committed with their ids in one store call, all threads at once (concurrent
   * deliveries do the same, so a driver that batches an event-loop turn, like
   * SQLite's group commit, PostgreSQL's coalesced statements and Redis's
   * pipeline, serves them together). `calls` items go one by one through their
   * call's trace, then are remembered. Events are screened first (`admitEvents`)
   * against the instant the delivery was received (now, or an inbox entry's
   * `receivedAt`, so a delivery applied late is judged as when it came in): the
   * refused are counted and never stored.
   */
  const ingestReceived = async (delivery: readonly WebhookEvent[], receivedAt: number): Promise<IngestReport> => {
    const { accepted: events, refused } = admitEvents(delivery, { now: receivedAt, limits: admission });
    const tally = new IngestTally();
    const byThread = new Map<string, ThreadEvents>();
    const calls: CallEvent[] = [];
    for (const e of events) {
      if (e.kind === 'call') {
        calls.push(e);
        continue;
      }
      const mapped = toPermissionEvent(e);
      if (!mapped) {
        tally.ignored += 1;
        continue;
      }
      const { thread } = mapped;
      const key = threadPairKey(thread);
      const group = byThread.get(key);
      if (group === undefined) {
        byThread.set(key, { thread, ids: [e.id], events: [mapped.event] });
      } else {
        group.ids.push(e.id);
        group.events.push(mapped.event);
      }
    }
    const outcomes = await Promise.all(Array.from(byThread.values(), (g) => commitEvents(deps, g)));
    for (const o of outcomes) tally.add(o);
    for (const e of calls) {
      const changed = await ingestCall(e);
      if (changed === null && e.event === 'media_update') {
        tally.ignored += 1;
        continue;
      }
      // Apply first, remember after: a crash in between replays an idempotent event, never loses one.
      const now = clock.now();
      tally.count(await store.remember(e.id, now, now + policy.dedupeTtlMs), changed);
    }
    return tally.report(refused);
  };

  const ingest: CallPermissions['ingest'] = (delivery) => ingestReceived(delivery, clock.now());

  const apply = async (thread: Thread, events: readonly PermissionEvent[]): Promise<ThreadStatus> => {
    const c = await commitSteps(deps, thread, (now) => [tick(now), ...events], HOST);
    return { ...c.decision, thread, version: c.version };
  };

  return {
    policy,
    status,
    apply,

    async canStartCall(thread) {
      const s = await status(thread);
      return { allowed: s.canStartCall, reason: s.callBlockedBy, decision: s };
    },

    refresh,

    async request(thread) {
      const reserved = await commitSteps(deps, thread, (now) => [tick(now), { type: 'REQUEST', at: now }], (e) => (e.type === 'REQUEST' ? { kind: 'opt_in', requestedAt: e.at, messageId: null } : HOST));
      const effect = reserved.effects.find((e) => e.type === 'sendOptIn');
      if (!effect) {
        const d = reserved.decision;
        return err({ reason: d.requestBlockedBy ?? 'pending_reply', decision: d });
      }
      const requestedAt = effect.requestedAt;
      const sent = await graph.sendPermissionRequest(thread).catch((e: unknown) => err(asFailure(e)));
      if (sent.ok) {
        const messageId = sent.value.messageId;
        const c = await commitSteps(deps, thread, (now) => [{ type: 'REQUEST_SENT', at: now, requestedAt, messageId }], { kind: 'opt_in', requestedAt, messageId });
        return ok({ messageId: sent.value.messageId, decision: c.decision });
      }
      const ambiguous = sent.error.processed !== 'no';
      const c = await commitSteps(deps, thread, (now) => [{ type: 'REQUEST_FAILED', at: now, requestedAt, ambiguous }], { kind: 'opt_in', requestedAt, messageId: null });
      return err({ reason: ambiguous ? 'send_ambiguous' : 'send_failed', failure: sent.error, decision: c.decision });
    },

    ingest,

    sweep: (sweepOptions) => runSweep({
      store, clock, policy,
      remoteCheck: async (thread) => (await refresh(thread)).ok,
      tick: async (thread) => (await commitSteps(deps, thread, (now) => [tick(now)], HOST)).changed,
      processInbox: (key, retry) => processInbox(inboxDeps, retry, key, ingestReceived),
    }, sweepOptions),

    history: (thread, query) => store.history(thread, query),
    reset: (thread, version) => store.reset(thread, version, clock.now()),

    inbox: {
      put: (events) => putInbox(inboxDeps, events),
      done: (ticket) => completeInbox(inboxDeps, ticket),
    },
    inboxAside: {
      list: (limit) => listMovedAside(store, limit),
      replay: (asideKey) => replayMovedAside(store, asideKey, ingestReceived),
    },
  };
};
