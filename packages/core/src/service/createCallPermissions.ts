import { decide, type Decision } from '../decide.js';
import { emptyRecord } from '../machine/PermissionRecord.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import { messengerPolicy, resolvePolicy, whatsappPolicy, type ResolvedPolicy } from '../policy.js';
import { systemClock } from '../ports/Clock.js';
import { err, ok, type Result } from '../result.js';
import { implicitGrantOf } from '../calls/implicitGrantOf.js';
import type { Thread } from '../thread.js';
import type { CallEvent, PageSettingsEvent, WebhookEvent } from '../webhookEvent.js';
import { markPageStale } from './pageStatus.js';
import type { CallPermissions, CallPermissionsOptions, IngestReport, RequestError, ThreadStatus } from './CallPermissions.js';
import { commitEvents, commitSteps, type CommitDeps, type ThreadEvents } from './commitSteps.js';
import { IngestTally } from './IngestTally.js';
import { completeInbox, putInbox, type InboxDeps } from './inbox.js';
import { listMovedAside, replayMovedAside } from './inboxAside.js';
import { processInbox } from './processInbox.js';
import { connectedNews, DEFAULT_CALL_TRACE_TTL_MS, placedNews, recordCallEvent, type CallTraceDeps } from './recordCallEvent.js';
import { createCallControl } from './callControl.js';
import { runSweep } from './sweep.js';
import { toPermissionEvent } from './toPermissionEvent.js';
import { admissionDefaults, admitEvents, type AdmissionLimits } from '../codecs/admitEvents.js';
import type { HistorySource } from '../store/HistoryEntry.js';
import { threadPairKey } from '../store/pairKey.js';
import { preflightNeeded } from './preflightNeeded.js';
import { requestMessageAt } from '../machine/requestMessage.js';
import { asGraphFailure } from './asGraphFailure.js';
import { withPageCalling } from './pageCalling.js';
import { createPageFacts } from './pageFacts.js';
import { refusalOf } from './refusalOf.js';
import { logTo } from '../telemetry/CallpermLogger.js';
import { observeRequest, observeSweep } from '../telemetry/observeService.js';
import { instrumentStore } from '../telemetry/instrumentStore.js';
import { ServiceTelemetry } from '../telemetry/serviceTelemetry.js';
import type { GraphFailure, SentOptIn } from '../ports/GraphApi.js';

const HOST: HistorySource = { kind: 'host' };

/** Admission limits must be numbers, not negative (a `NaN` would switch a check off). */
const validAdmission = (limits: AdmissionLimits): AdmissionLimits => {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new RangeError(`[callperm] admission.${name} must be a number >= 0`);
    }
  }
  return limits;
};

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
  const waPolicy = resolvePolicy(options.whatsappPolicy ?? whatsappPolicy);
  /** A thread is judged by its channel's policy. */
  const policyFor = (thread: Thread): ResolvedPolicy => (thread.channel === 'whatsapp' ? waPolicy : policy);
  const clock = options.clock ?? systemClock;
  const { graph, onTransition, logger } = options;
  // Metrics only once `@opentelemetry/api` has loaded and found a MeterProvider; until then (or without one) `tel.on` is false.
  const tel = new ServiceTelemetry();
  const store = instrumentStore(options.store, tel);
  const deps: CommitDeps = {
    store, clock, policyFor,
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

  const pages = createPageFacts({ store, clock, policy, graph, cacheMs: options.pageCacheMs ?? 5_000 });
  /**
   * A decision with its Page's fact applied (calling off for the Page blocks calls and
   * requests): from the cache when it holds the fact (status reads: no further await), else from the store.
   */
  const withPage = <D extends Decision>(thread: Thread, d: D): D | Promise<D> => {
    const cached = pages.cached(thread.pageId);
    return cached !== undefined ? withPageCalling(d, cached) : pages.read(thread.pageId).then((off) => withPageCalling(d, off));
  };

  /** Meta said the Page's calling is off: stored on the Page's document, and logged. */
  const learnOff = async (pageId: string, failure: GraphFailure): Promise<void> => {
    await pages.learnOff(pageId, failure);
    logTo(logger, 'warn', { event: 'page_calling_off', pageId, kind: failure.kind, code: failure.code }, 'callperm: Meta says calling is off for this Page');
  };

  const status = async (thread: Thread): Promise<ThreadStatus> => {
    const loaded = await store.get(thread);
    const record = loaded?.record ?? emptyRecord();
    return withPage(thread, { ...decide(record, clock.now(), policyFor(thread)), thread, version: loaded?.version ?? 0 });
  };

  const refresh: CallPermissions['refresh'] = async (thread) => {
    const startedAt = clock.now(); // what Meta reports reflects at least everything before the call began
    const remote = await graph.checkPermission(thread).catch((e: unknown) => err(asGraphFailure(e)));
    if (!remote.ok) {
      if (remote.error.kind === 'calling_not_enabled' && remote.error.processed === 'no') await learnOff(thread.pageId, remote.error);
      const s = await status(thread);
      return err({ reason: 'graph_failure' as const, failure: remote.error, decision: s });
    }
    const checked: HistorySource = { kind: 'remote_check', fbtraceId: remote.value.fbtraceId ?? null };
    const c = await commitSteps(deps, thread, (now) => [tick(now), { type: 'REMOTE_SYNC', at: Math.min(startedAt, now), remote: remote.value }], checked);
    return ok(await withPage(thread, c.decision));
  };

  /**
   * Ask before asking: when a request would go out and the record holds no check
   * newer than `preflightMaxAge`, one permission check first (its counts and
   * `can_perform` then judge the request). Null when none was needed or it answered.
   */
  const preflight = async (thread: Thread): Promise<RequestError | null> => {
    const loaded = await store.get(thread);
    const record = loaded?.record ?? emptyRecord();
    if (!preflightNeeded(record, clock.now(), policyFor(thread))) return null;
    const checked = await refresh(thread);
    return checked.ok ? null : { reason: 'check_failed', failure: checked.error.failure, decision: checked.error.decision };
  };

  /**
   * A `calls` item: merge it into its call's stored trace; a business-initiated call
   * callperm did not place counts against the thread's connected-call quota; then
   * apply the grant the call implies (null: nothing changed).
   */
  const ingestCall = async (e: CallEvent): Promise<boolean | null> => {
    if (e.event === 'media_update') return null;
    const { trace, before } = await recordCallEvent(traceDeps, e);
    let changed: boolean | null = null;
    const thread: Thread | null = trace.psid === null ? null : { ...(trace.channel === 'whatsapp' ? { channel: trace.channel } : {}), pageId: trace.pageId, psid: trace.psid };
    if (thread !== null && placedNews(before, trace) && trace.connectAt !== null) {
      const placedAt = trace.connectAt;
      changed = (await commitSteps(deps, thread, () => [{ type: 'CALL_PLACED', at: placedAt }], { kind: 'connect', placedAt, callId: e.callId })).changed;
    }
    const answeredAt = trace.acceptedAt ?? trace.end?.at ?? null;
    if (thread !== null && answeredAt !== null && policyFor(thread).requestQuotaResetByCall && connectedNews(before, trace)) {
      // A connected call resets the request quota (WhatsApp).
      const reset = await commitSteps(deps, thread, () => [{ type: 'CALL_ANSWERED', at: answeredAt }], { kind: 'host' });
      changed = reset.changed || changed === true;
    }
    const grant = implicitGrantOf(trace);
    const mapped = grant === null ? null : toPermissionEvent(grant);
    if (mapped === null || grant?.kind !== 'implicit_grant') return changed;
    const granted = (await commitSteps(deps, mapped.thread, () => [mapped.event], { kind: 'call', callId: e.callId, cause: grant.cause })).changed;
    return granted || changed === true;
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
    const startedAt = tel.on ? performance.now() : 0;
    const { accepted: events, refused } = admitEvents(delivery, { now: receivedAt, limits: admission });
    const tally = new IngestTally();
    const byThread = new Map<string, ThreadEvents>();
    const calls: CallEvent[] = [];
    const settings: PageSettingsEvent[] = [];
    for (const e of events) {
      if (e.kind === 'call') {
        calls.push(e);
        continue;
      }
      if (e.kind === 'page_settings') {
        settings.push(e);
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
    for (const e of settings) {
      // The Page's settings moved: its check goes stale, so `sweep` (or the next `pageStatus`) asks Meta again.
      const now = clock.now();
      const first = await store.remember(e.id, now, now + policy.dedupeTtlMs);
      if (first) await markPageStale(store, e.pageId, now);
      tally.count(first, first);
    }
    const report = tally.report(refused);
    if (tel.on) tel.ingested(report, startedAt);
    return report;
  };

  const ingest: CallPermissions['ingest'] = (delivery) => ingestReceived(delivery, clock.now());

  const apply = async (thread: Thread, events: readonly PermissionEvent[]): Promise<ThreadStatus> => {
    const c = await commitSteps(deps, thread, (now) => [tick(now), ...events], HOST);
    return { ...c.decision, thread, version: c.version };
  };

  /** `request` itself; the public method adds what it is observed by. */
  const requestOnce = async (thread: Thread): Promise<Result<SentOptIn & { readonly decision: Decision }, RequestError>> => {
    const off = await pages.current(thread.pageId);
    if (off !== null) {
      const d = await status(thread);
      return err({ reason: 'calling_not_enabled', decision: d });
    }
    const unchecked = await preflight(thread);
    if (unchecked !== null) return err(unchecked);
    const reserved = await commitSteps(deps, thread, (now) => [tick(now), { type: 'REQUEST', at: now }], (e) => (e.type === 'REQUEST' ? { kind: 'opt_in', requestedAt: e.at, messageId: null } : HOST));
    const effect = reserved.effects.find((e) => e.type === 'sendOptIn');
    if (!effect) {
      const d = reserved.decision;
      return err({ reason: d.requestBlockedBy ?? 'pending_reply', decision: d });
    }
    const requestedAt = effect.requestedAt;
    const message = requestMessageAt(reserved.record, requestedAt, policyFor(thread));
    const sent = await graph.sendPermissionRequest(thread, { message }).catch((e: unknown) => err(asGraphFailure(e)));
    if (sent.ok) {
      const messageId = sent.value.messageId;
      const c = await commitSteps(deps, thread, (now) => [{ type: 'REQUEST_SENT', at: now, requestedAt, messageId }], { kind: 'opt_in', requestedAt, messageId });
      return ok({ messageId: sent.value.messageId, decision: c.decision });
    }
    const failure = sent.error;
    const ambiguous = failure.processed !== 'no';
    const refusal = refusalOf(failure);
    if (failure.kind === 'calling_not_enabled' && !ambiguous) await learnOff(thread.pageId, failure);
    const c = await commitSteps(deps, thread, (now) => [{ type: 'REQUEST_FAILED', at: now, requestedAt, ambiguous, refusal }], { kind: 'opt_in', requestedAt, messageId: null });
    return err({ reason: ambiguous ? 'send_ambiguous' : 'send_failed', failure, decision: await withPage(thread, c.decision) });
  };

  const calls = createCallControl({
    graph, commit: deps, traces: traceDeps, status, withPage, learnOff,
    pageOff: (pageId) => pages.current(pageId),
  });

  return {
    policy,
    status: (thread) => {
      const decided = status(thread);
      return tel.on ? decided.then((s) => {
        tel.decision('status', s.callBlockedBy ?? 'allowed');
        return s;
      }) : decided;
    },
    apply,

    async canStartCall(thread) {
      const s = await status(thread);
      if (tel.on) tel.decision('can_start_call', s.callBlockedBy ?? 'allowed');
      return { allowed: s.canStartCall, reason: s.callBlockedBy, decision: s };
    },

    refresh,

    request: async (thread) => observeRequest(tel, logger, thread, await requestOnce(thread)),

    startCall: calls.startCall,
    endCall: calls.endCall,
    acceptCall: calls.acceptCall,
    rejectCall: calls.rejectCall,

    refreshPage: (pageId) => pages.recheck(pageId),
    pageStatus: (pageId) => pages.status(pageId),
    pageCalling: (pageId) => pages.read(pageId),

    ingest,

    sweep: async (sweepOptions) => observeSweep(tel, logger, (observed) => runSweep({
      store, clock, policyFor,
      remoteCheck: async (thread) => (await refresh(thread)).ok,
      tick: async (thread) => (await commitSteps(deps, thread, (now) => [tick(now)], HOST)).changed,
      processInbox: (key, retry) => processInbox(inboxDeps, retry, key, ingestReceived),
      recheckPage: async (pageId) => (await pages.recheck(pageId)).ok,
    }, observed), sweepOptions),

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
