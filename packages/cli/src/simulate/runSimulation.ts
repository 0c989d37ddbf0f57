import { channelGraphApi, graphApi, whatsappGraphApi } from '@callperm/adapters/graph';
import { channelOf, lifecycleStates, messengerPolicy, resolvePolicy, threadKey, whatsappPolicy, type LifecycleState } from '@callperm/core';
import { createConsumerSimulator, createFakeGraphApi, VirtualClock, type CalleeAnswer, type ConsumerAnswer, type FakeCall } from '@callperm/testing';
import { createCliService } from '../createCliService.js';
import { startHost } from '../host/startHost.js';
import type { OpenedStore } from '../store/openStore.js';
import { checkInvariants, type RequestCallRecord, type Violation } from './checkInvariants.js';
import { metaSendStats, type MetaSendStats } from './metaSendStats.js';
import { createPersonas, simulatedAccounts, type Persona } from './Persona.js';
import { planTimeline, type PlannedAction } from './planTimeline.js';
import { seededRandom } from './seededRandom.js';
import { DAY, defaultSimulation, SWEEP_EVERY_MS, TICK_MS, UNAVAILABLE_SHARE, type SimulationConfig } from './SimulationConfig.js';
import { SimulationStats, sortTally, stateTally, tallyOf, type HostCounts, type Tally } from './SimulationStats.js';

const TOKEN = 'callperm-simulation-token';
/** The business's side of every call it places: a minimal SDP offer (the fake answers any well-formed one). */
const OFFER = { sdp: 'v=0\r\no=callperm 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' };
const APP_SECRET = 'callperm-simulation-app-secret';

/** Everything a run found; the same for the same config and seed. */
export interface SimulationSummary {
  readonly config: Required<SimulationConfig>;
  /** Opt-ins Meta accepted. */
  readonly optInsSent: number;
  /** Opt-in sends from Meta's side: refused by reason, refusals before the person wrote again, Graph requests per opt-in. */
  readonly sends: MetaSendStats;
  /** People Meta reports unavailable to opt-ins (551), and Pages whose calling was off for a while. */
  readonly world: { readonly unavailablePeople: number; readonly pagesCallingOff: number };
  /** How people answered them (Meta's side). */
  readonly consumerAnswers: Tally;
  readonly host: HostCounts;
  /** Webhook POSTs Meta made (retries and duplicates included), and deliveries it gave up on. */
  readonly webhooks: { readonly posts: number; readonly dropped: number };
  /** Graph API requests Meta received, by endpoint. */
  readonly graphRequests: Tally;
  /** Threads per state at the end (the host's decision). */
  readonly finalStates: Tally;
  /** Calls from Meta's side: connects placed, refused by what Meta answered, and how the people handled the placed ones. */
  readonly calls: { readonly connected: number; readonly refusedByMeta: Tally; readonly callees: Tally };
  readonly violations: {
    readonly quotaExceeded: number;
    readonly callWithoutPermission: number;
    readonly callOverQuota: number;
    /** One reservation (one `request()` call) sent twice, or a send with no `request()` call. */
    readonly reservationSentTwice: number;
    /** A send against the policy's reminder or decline rule. */
    readonly againstReminderOrDecline: number;
    readonly total: number;
  };
}

/** The summary, the violations themselves, and per-day progress for the caller. */
export interface SimulationResult {
  readonly summary: SimulationSummary;
  /** Up to 50 violations, earliest first. */
  readonly examples: readonly Violation[];
}

/** Options of {@link runSimulation}. */
export interface RunOptions {
  /** Called after each virtual day with the number of days done. */
  readonly onDay?: (day: number, days: number) => void;
}

/** How a person handles the Page's call: picks up (and talks a while) as often as they accept calls, else declines or misses it. */
const calleeAnswerFor = (p: Persona): CalleeAnswer => {
  if (p.rng.chance(p.acceptsCalls)) return { kind: 'answer', afterMs: Math.round(p.rng.between(3_000, 20_000)), talkMs: Math.round(p.rng.between(30_000, 600_000)) };
  return p.rng.chance(0.5) ? { kind: 'decline', afterMs: Math.round(p.rng.between(2_000, 15_000)) } : { kind: 'miss' };
};

const answerFor = (p: Persona): ConsumerAnswer => {
  const roll = p.rng.next();
  const afterMs = Math.round(p.rng.between(p.answerDelayMs[0], p.answerDelayMs[1]));
  if (roll < p.approve) return { kind: 'approve', afterMs };
  if (roll < p.approve + p.reject) return { kind: 'reject', afterMs };
  return { kind: 'ignore' };
};

/**
 * Runs the simulation: a fake Meta (fake Graph API and consumer simulator) and a
 * host (webhook receiver and the service on `opened`) on loopback, `threads`
 * consumers over `days` virtual days on one virtual clock. People write, the
 * business wants to call and asks for permission when it may not, people answer
 * or ignore opt-ins and call the Page, permissions lapse, a few people cannot be
 * messaged (Meta's 551) and one Page has calling off for a day or two, and with
 * `faults: 'meta'` webhooks come twice and out of order, Graph calls fail (some
 * after Meta acted) and Pages are throttled. At the end the invariants are
 * checked from the fake's records. Everything runs one step at a time, so the
 * same seed gives the same summary.
 *
 * @example
 * const opened = await openStore(parseStoreSpec('memory', process.cwd()));
 * const { summary } = await runSimulation({ threads: 100, days: 7, seed: 7, faults: 'meta' }, opened);
 * await opened.close();
 */
export const runSimulation = async (input: SimulationConfig, opened: OpenedStore, options: RunOptions = {}): Promise<SimulationResult> => {
  const config: Required<SimulationConfig> = { ...defaultSimulation, ...input };
  const start = config.start;
  const end = start + config.days * DAY;
  const root = seededRandom(config.seed);
  const personas = createPersonas(root.fork(), config.threads, config.channel);
  const plan = planTimeline(root.fork(), personas, config, start);
  const world = root.fork();
  // Drawn for every persona; Meta's 551 (a person who cannot be messaged) is played on Messenger only.
  const unavailable = personas.filter(() => world.chance(UNAVAILABLE_SHARE)).filter((p) => channelOf(p.thread) === 'messenger');
  const byThread = new Map(personas.map((p) => [threadKey(p.thread), p]));
  const accounts = simulatedAccounts(config.threads, config.channel);
  const pages = new Set([...accounts.pages, ...accounts.numbers]);

  const clock = new VirtualClock(start);
  const fake = await createFakeGraphApi({ clock, accessTokens: TOKEN, whatsappNumbers: accounts.numbers });
  for (const p of unavailable) fake.markUnavailable(p.thread);
  const retry = { limit: 1, baseDelayMs: 1, maxDelayMs: 20 };
  const messengerGraph = graphApi({ accessToken: TOKEN, baseUrl: fake.url, clock, random: () => 0.5, retry });
  const whatsappGraph = whatsappGraphApi({ accessTokens: TOKEN, baseUrl: fake.url, clock, random: () => 0.5, retry });
  // Threads go by their channel; the bare-id calls (page status, settings, call actions) by whether the id is a business number.
  const graph = channelGraphApi({ messenger: messengerGraph, whatsapp: whatsappGraph, whatsappNumbers: new Set(accounts.numbers) });
  const stats = new SimulationStats(pages);
  const service = createCliService(opened, graph, { clock, onTransition: (n) => stats.transition(n) });
  const host = await startHost({ permissions: service, appSecret: APP_SECRET, verifyToken: 'callperm-simulation' });
  const consumerAnswers: Tally = {};
  const sim = createConsumerSimulator({
    fake, hostUrl: `${host.url}/webhook`, appSecret: APP_SECRET,
    faults: config.faults === 'meta' ? { duplicates: 1, reverse: true } : {},
    behaviour: (optIn) => {
      const p = byThread.get(threadKey(optIn.thread));
      const answer: ConsumerAnswer = p === undefined ? { kind: 'ignore' } : answerFor(p);
      consumerAnswers[answer.kind] = (consumerAnswers[answer.kind] ?? 0) + 1;
      return answer;
    },
    callBehaviour: (call: FakeCall) => {
      const p = byThread.get(threadKey(call.thread));
      const answer: CalleeAnswer = p === undefined ? { kind: 'miss' } : calleeAnswerFor(p);
      calleeAnswers[answer.kind] = (calleeAnswers[answer.kind] ?? 0) + 1;
      return answer;
    },
  });
  const calleeAnswers: Tally = {};
  const requestCalls: RequestCallRecord[] = [];
  const callingOff = new Set<string>();

  const perform = async (a: PlannedAction): Promise<void> => {
    switch (a.kind) {
      case 'message':
        return sim.message(personas[a.persona]!.thread);
      case 'consumer_call': {
        const p = personas[a.persona]!;
        sim.placeCall(p.thread, { hostAnswers: p.rng.chance(p.hostPicksUp) });
        return;
      }
      case 'graph_fault':
        return fake.inject(a.endpoint, a.fault);
      case 'throttle':
        return fake.throttle({ pageId: a.pageId, regainMinutes: a.minutes });
      case 'page_calling':
        if (!a.enabled) callingOff.add(a.pageId);
        return fake.setPageCalling(a.pageId, a.enabled);
      case 'wish': {
        const p = personas[a.persona]!;
        // The business calls through startCall: it decides, and connects only when the decision allows.
        const placed = await service.startCall(p.thread, OFFER);
        if (placed.ok) return stats.callPlaced();
        const refusal = placed.error;
        if (refusal.reason === 'connect_refused' || refusal.reason === 'connect_ambiguous') return stats.callRefusedByMeta(refusal.reason, refusal.failure.kind);
        stats.callBlocked(refusal.reason);
        if (refusal.reason === 'call_quota_exhausted' || refusal.reason === 'remote_start_call_denied') return;
        // One request() call, one reservation: the fake's records made during it belong to it.
        const fromSeq = fake.lastSeq();
        const sent = await service.request(p.thread);
        requestCalls.push({ thread: p.thread, at: clock.now(), fromSeq, toSeq: fake.lastSeq() });
        if (sent.ok) return stats.requestSent();
        const e = sent.error;
        return stats.requestRefused(e.reason, 'failure' in e ? e.failure.kind : undefined);
      }
    }
  };

  try {
    let next = 0;
    for (let t = start + TICK_MS; t <= end; t += TICK_MS) {
      clock.set(t);
      await sim.settle();
      while (next < plan.length && plan[next]!.at <= t) {
        await perform(plan[next]!);
        next += 1;
        await sim.settle();
      }
      if ((t - start) % SWEEP_EVERY_MS === 0) {
        stats.swept(await service.sweep({ limit: 1000, concurrency: 1 }));
        await sim.settle();
      }
      if ((t - start) % DAY === 0) options.onDay?.((t - start) / DAY, config.days);
    }
    await sim.settle();
    stats.swept(await service.sweep({ limit: 1000, concurrency: 1 }));

    const finalStates: LifecycleState[] = [];
    for (const p of personas) finalStates.push((await service.status(p.thread)).state);
    const policy = resolvePolicy(messengerPolicy);
    const waPolicy = resolvePolicy(whatsappPolicy);
    const violations = checkInvariants({ fake, requestCalls }, {
      quota: fake.threads.rules.optInQuota, reminderAfterMs: policy.reminderAfterMs, afterDeclineMs: policy.afterDeclineMs,
      whatsapp: { requestLimits: fake.whatsapp.rules.requestLimits, reminderAfterMs: waPolicy.reminderAfterMs, afterDeclineMs: waPolicy.afterDeclineMs },
    });
    const count = (kind: Violation['kind']): number => violations.filter((v) => v.kind === kind).length;
    const graphRequests: Tally = {};
    for (const r of fake.requests) graphRequests[r.endpoint] = (graphRequests[r.endpoint] ?? 0) + 1;
    return {
      summary: {
        config,
        optInsSent: fake.optIns.length,
        sends: metaSendStats(fake),
        world: { unavailablePeople: unavailable.length, pagesCallingOff: callingOff.size },
        consumerAnswers: sortTally(consumerAnswers),
        host: stats.counts(),
        webhooks: { posts: sim.attempts.length, dropped: sim.dropped.length },
        graphRequests: sortTally(graphRequests),
        calls: {
          connected: fake.connects.filter((c) => c.outcome === 'placed').length,
          refusedByMeta: sortTally(tallyOf(fake.connects.filter((c) => c.outcome !== 'placed').map((c) => c.outcome))),
          callees: sortTally(calleeAnswers),
        },
        finalStates: stateTally(finalStates, lifecycleStates),
        violations: {
          quotaExceeded: count('quota_exceeded'),
          callWithoutPermission: count('call_without_permission'),
          callOverQuota: count('call_over_quota'),
          reservationSentTwice: count('reservation_sent_twice'),
          againstReminderOrDecline: count('against_reminder_rule') + count('against_decline_rule'),
          total: violations.length,
        },
      },
      examples: violations.slice(0, 50),
    };
  } finally {
    sim.close();
    await host.close();
    messengerGraph.close();
    whatsappGraph.close();
    await fake.close();
  }
};
