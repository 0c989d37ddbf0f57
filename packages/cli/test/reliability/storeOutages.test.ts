import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { HistoryEntry, PermissionStore, Thread } from '@callperm/core';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  privateServerAvailable, removeStalePrivateServers, startPrivatePostgres, startPrivateRedis, type PrivateServer, type StopMode,
} from '../../../adapters/test/storage/privateServers.js';
import { runTag } from '../../../adapters/test/storage/servers.js';
import { seededRandom } from '../../src/simulate/seededRandom.js';
import { OutageTraffic, type Attempt, type Flow } from './outages/outageTraffic.js';
import { startServeProcess, type ServeProcess } from './outages/serveProcess.js';

/**
 * Issue 14, item 3: store outages under running hosts. Two `callperm serve`
 * processes share a private PostgreSQL, then a private Redis (append-only,
 * `appendfsync always`), while the simulated Meta posts signed webhooks (retried
 * until acknowledged) and an operator calls the JSON API. The store is stopped
 * (SIGKILL to all its processes, or its own fast shutdown, in turn) and started
 * again on the same data, the hosts never restarted. While it is down every
 * webhook is refused with 5xx and every API call with 503; afterwards each host
 * serves again within a few retries, every acknowledged delivery is applied, and
 * Meta's own records show no opt-in sent twice.
 *
 * CALLPERM_SOAK=1: ten times the outages (and so the traffic). FC_SEED replays
 * the traffic's choices (the timing is the machine's).
 */

const SOAK = process.env.CALLPERM_SOAK === '1';
const SEED = Number(process.env.FC_SEED ?? (process.env.CI ? 20261127 : randomInt(2 ** 31)));
const OUTAGES = SOAK ? 40 : 4;
const WORKERS = 6;
const READERS = 2;
/** Flows finished between outages (and before the first, after the last). */
const FLOWS_BETWEEN = 20;
/** Webhook POSTs and API calls each answered while the store was down, per outage, before it is started again. */
const PROBES_WHILE_DOWN = 8;
/** Refused answers a host may give after the store is back before it serves again. */
const MAX_REFUSALS_AFTER_RESTART = 10;
const STEP_DEADLINE_MS = 60_000;
const PHASE_DEADLINE_MS = 60_000;
/** How long after the traffic ends a deferred delivery may take to show (the inbox is swept every second). */
const APPLIED_WITHIN_MS = 20_000;

const APP_SECRET = 'outage-app-secret';
const VERIFY_TOKEN = 'outage-verify';
const PAGE_TOKEN = 'outage-page-token';
const API_TOKEN = 'outage-api-token-0123456789abcdef';

/** What every line a host writes to stderr must look like: faults reported by code, never a stack or a driver's complaint. */
const STDERR_LINES = [
  /^webhook: (apply_failed|inbox_failed|background_failed)$/,
  /^api: [a-z_]+$/,
  /^sweep( inbox)? [^ ]+: [A-Za-z]+$/,
  /^callperm serve: SIGTERM, shutting down$/,
];

/** The fake Meta reads the wall clock, as the `serve` processes do (each is a real process on the system clock). */
class WallClock extends VirtualClock {
  override now(): number {
    return Math.max(super.now(), Date.now());
  }
}

interface Outage {
  readonly mode: StopMode;
  /** performance.now(): the store's processes are gone; the restart begins; it answers again. */
  goneAt: number;
  restartAt: number;
  upAt: number;
}

const seeded = (what: string): string => `${what} (FC_SEED=${SEED} replays the traffic's choices)`;

/** Polls `done` until it holds; throws after `deadlineMs`, or at once when `broken` names a failure. */
const until = async (what: string, done: () => boolean, broken: () => string | null, progress: () => string = () => ''): Promise<void> => {
  const deadline = performance.now() + PHASE_DEADLINE_MS;
  while (!done()) {
    const why = broken();
    if (why !== null) throw new Error(seeded(`${what}: ${why}`));
    if (performance.now() > deadline) throw new Error(seeded(`${what}: not within ${PHASE_DEADLINE_MS} ms ${progress()}`));
    await delay(20);
  }
};

/** How many items have each key. */
const countBy = <T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
};

/** Counts of `status code` for attempts, e.g. `{ '503 unavailable': 9 }`. */
const tally = (attempts: readonly Attempt[]): Record<string, number> => countBy(attempts, (a) => `${a.status} ${a.code ?? '-'}`);

const within = (attempts: readonly Attempt[], o: Outage): Attempt[] => attempts.filter((a) => a.sentAt >= o.goneAt && a.answeredAt <= o.restartAt);

/** Refused answers each host gave to requests sent after the store was back, before its first 2xx; null when it served none. */
const refusalsBeforeServing = (attempts: readonly Attempt[], o: Outage, hosts: number, nextGoneAt: number): (number | null)[] =>
  Array.from({ length: hosts }, (_, host) => {
    const after = attempts.filter((a) => a.host === host && a.sentAt >= o.upAt && a.sentAt < nextGoneAt).sort((a, b) => a.sentAt - b.sentAt);
    const first = after.findIndex((a) => typeof a.status === 'number' && a.status >= 200 && a.status < 300);
    return first === -1 ? null : first;
  });

const key = (t: Thread): string => `${t.pageId}/${t.psid}`;

/** An attempt for a failure message: what, to which host, its answer, when (ms after the store went), and its delivery's earlier tries. */
const described = (a: Attempt, o: Outage, all: readonly Attempt[]): string => {
  const at = (b: Attempt): string => `${b.status} ${b.code ?? ''} sent +${Math.round(b.sentAt - o.goneAt)} answered +${Math.round(b.answeredAt - o.goneAt)}`;
  const earlier = a.delivery === undefined ? [] : all.filter((b) => b.delivery?.n === a.delivery?.n && b.sentAt < a.sentAt);
  return `${a.what} ${a.delivery ? `delivery ${a.delivery.n} try ${a.delivery.try} ` : ''}to host ${a.host}: ${at(a)}; earlier tries: ${earlier.map(at).join(', ') || 'none'}`;
};

interface StoreCase {
  readonly name: 'postgres' | 'redis';
  readonly start: () => Promise<PrivateServer>;
  readonly open: (url: string, namespace: string) => Promise<PermissionStore>;
}

const cases: StoreCase[] = [
  {
    name: 'postgres', start: startPrivatePostgres,
    open: async (url, schema) => (await import('@callperm/adapters/storage/postgres')).postgresStore({ connectionString: url }, { schema }),
  },
  {
    name: 'redis', start: startPrivateRedis,
    open: async (url, keyPrefix) => (await import('@callperm/adapters/storage/redis')).redisStore({ url }, { keyPrefix }),
  },
];

removeStalePrivateServers();

describe.each(cases)('store outage: $name restarted under two running serve hosts', ({ name, start, open }) => {
  const available = privateServerAvailable(name);
  let server: PrivateServer;
  let fake: FakeGraphApi;
  const hosts: ServeProcess[] = [];
  const namespace = `cpoutage_${runTag()}`;

  beforeAll(async () => {
    if (!available) return;
    server = await start();
    fake = await createFakeGraphApi({ clock: new WallClock(), accessTokens: PAGE_TOKEN });
    const env = { PAGE_ACCESS_TOKEN: PAGE_TOKEN, APP_SECRET, VERIFY_TOKEN, GRAPH_BASE_URL: fake.url, CALLPERM_API_TOKEN: API_TOKEN };
    // One after the other: the first migrates the store.
    for (let i = 0; i < 2; i += 1) hosts.push(await startServeProcess(`${server.url}#${namespace}`, env, ['--sweep-every', '1']));
  }, 120_000);

  afterAll(async () => {
    for (const h of hosts) h.kill();
    await fake?.close();
    await server?.remove();
  });

  it.skipIf(!available)(`answers 5xx and 503 while ${name} is down, serves again without a restart, and loses nothing acknowledged`, async () => {
    const random = seededRandom(SEED);
    const traffic = new OutageTraffic({
      hosts: hosts.map((h) => h.url), appSecret: APP_SECRET, apiToken: API_TOKEN, fake, random: random.fork(),
      stepDeadlineMs: STEP_DEADLINE_MS, firstId: name === 'postgres' ? 0 : 1_000_000,
    });
    const broken = (): string | null => {
      const exited = hosts.find((h) => h.exit() !== null);
      if (exited !== undefined) return `a serve host exited (${String(exited.exit())}): ${exited.stderrLines().slice(-5).join(' | ')}`;
      return traffic.failures[0] ?? null;
    };
    const outages: Outage[] = [];
    const started = performance.now();
    traffic.run(WORKERS, READERS);
    try {
      let mark = 0;
      for (let i = 0; i < OUTAGES; i += 1) {
        await until('traffic before the outage', () => traffic.finished >= mark + FLOWS_BETWEEN, broken);
        const outage: Outage = { mode: i % 2 === 0 ? 'kill' : 'fast', goneAt: 0, restartAt: 0, upAt: 0 };
        await server.stop(outage.mode);
        outage.goneAt = performance.now();
        const probes = (kind: Attempt['kind']) => within(traffic.attempts, { ...outage, restartAt: Infinity }).filter((a) => a.kind === kind).length;
        await until(`probes while ${name} is down`, () => probes('webhook') >= PROBES_WHILE_DOWN && probes('api') >= PROBES_WHILE_DOWN, broken,
          () => JSON.stringify({ since: tally(traffic.attempts.filter((a) => a.sentAt >= outage.goneAt)), attempts: traffic.attempts.length }));
        outage.restartAt = performance.now();
        await server.start();
        outage.upAt = performance.now();
        outages.push(outage);
        mark = traffic.finished;
      }
      await until('traffic after the last outage', () => traffic.finished >= mark + FLOWS_BETWEEN, broken);
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures, seeded('flows that could not finish')).toEqual([]);
    expect(hosts.map((h) => h.exit()), seeded('no serve host exited')).toEqual([null, null]);

    // While the store was down: webhooks 503 (Meta retries), API calls 503 with a typed body.
    for (const o of outages) {
      const down = within(traffic.attempts, o);
      const webhooks = down.filter((a) => a.kind === 'webhook');
      const api = down.filter((a) => a.kind === 'api');
      expect(webhooks.length, seeded(`webhooks answered during the ${o.mode} outage`)).toBeGreaterThanOrEqual(PROBES_WHILE_DOWN);
      expect(api.length, seeded(`API calls answered during the ${o.mode} outage`)).toBeGreaterThanOrEqual(PROBES_WHILE_DOWN);
      const notRefused = webhooks.filter((a) => !(a.status === 503 && a.code === 'store_unavailable'));
      expect.soft(notRefused.map((a) => described(a, o, traffic.attempts)), seeded(`webhooks not refused with 503 during the ${o.mode} outage`)).toEqual([]);
      expect.soft(tally(api), seeded(`API answers during the ${o.mode} outage`)).toEqual({ [`503 unavailable`]: api.length });
    }
    // Around the outages too: never an answer a retry could not fix (500), never a silence past Meta's 5 s.
    const unexpected = traffic.attempts.filter((a) => !(a.status === 200 || a.status === 503 || (a.kind === 'api' && a.status === 409)));
    expect.soft(tally(unexpected), seeded('answers other than 200, 503 (and 409 to a repeated request)')).toEqual({});
    // Each host serves again after a few refusals, without being restarted.
    outages.forEach((o, i) => {
      const refusals = refusalsBeforeServing(traffic.attempts, o, hosts.length, outages[i + 1]?.goneAt ?? Infinity);
      for (const r of refusals) {
        expect(r, seeded(`refusals before serving again after the ${o.mode} outage`)).not.toBeNull();
        expect(r!, seeded(`refusals before serving again after the ${o.mode} outage`)).toBeLessThanOrEqual(MAX_REFUSALS_AFTER_RESTART);
      }
    });

    // Every delivery was acknowledged in the end, and every acknowledged one is applied.
    expect(traffic.deliveries.filter((d) => d.ackedAt === null).map((d) => d.n), seeded('deliveries never acknowledged')).toEqual([]);
    const store = await open(server.url, namespace);
    try {
      const wrong = await unappliedFlows(traffic.flows, hosts[0]!.url, store);
      expect(wrong, seeded('flows whose acknowledged deliveries are not applied')).toEqual([]);
    } finally {
      await store.close();
    }

    // Meta's records: each thread asked once at most, no request refused for the quota.
    const asks = traffic.flows.filter((f) => f.kind === 'ask');
    const accepted = fake.sends.filter((s) => s.outcome === 'accepted');
    const perThread = new Map<string, number>();
    for (const s of accepted) perThread.set(`${s.pageId}/${s.psid ?? ''}`, (perThread.get(`${s.pageId}/${s.psid ?? ''}`) ?? 0) + 1);
    expect([...perThread.values()].filter((n) => n > 1), seeded('threads Meta got two opt-ins for')).toEqual([]);
    expect(fake.sends.filter((s) => s.refusal === 'request_limit'), seeded('opt-ins Meta refused for the quota')).toEqual([]);
    expect(accepted.length, seeded('opt-ins Meta accepted: one per request that reached it')).toBe(asks.filter((f) => f.request?.optIn === true).length);

    // The hosts were never restarted: they stop cleanly now, and said nothing but fault codes.
    const codes = await Promise.all(hosts.map((h) => h.stop()));
    expect(codes, seeded('exit codes after SIGTERM')).toEqual([0, 0]);
    const strange = hosts.flatMap((h) => h.stderrLines()).filter((l) => !STDERR_LINES.some((p) => p.test(l)));
    expect(strange.slice(0, 5), seeded('stderr lines that are not fault codes')).toEqual([]);

    const down = outages.flatMap((o) => within(traffic.attempts, o));
    console.log(JSON.stringify({
      store: name, seed: SEED, outages: outages.map((o) => `${o.mode}: ${Math.round(o.restartAt - o.goneAt)} ms down, ${Math.round(o.upAt - o.restartAt)} ms to restart`),
      flows: countBy(traffic.flows, (f) => f.kind),
      deliveries: traffic.deliveries.length,
      acknowledgedAndApplied: traffic.deliveries.filter((d) => d.ackedAt !== null).length,
      deliveryAttempts: countBy(traffic.attempts.filter((a) => a.kind === 'webhook'), (a) => String(a.status)),
      apiCalls: countBy(traffic.attempts.filter((a) => a.kind === 'api'), (a) => `${a.what} ${a.status}`),
      answeredWhileDown: countBy(down, (a) => `${a.kind} ${a.status}`),
      requests: countBy(asks, (f) => `${f.request?.status ?? 'none'} ${f.request?.optIn === true ? 'opt-in sent' : f.request?.reason ?? ''}`),
      optInsAccepted: accepted.length,
      stderr: countBy(hosts.flatMap((h) => h.stderrLines()), (l) => l.replace(/^(sweep( inbox)?) [^ ]+:/, '$1 …:')),
      wallMs: Math.round(performance.now() - started),
    }));
  }, SOAK ? 1_800_000 : 240_000);
});

/**
 * The flows whose acknowledged deliveries do not show, polled until
 * {@link APPLIED_WITHIN_MS} (a delivery deferred to the inbox is applied by the
 * sweep): an approval shows as `approved` with its expiry in the status and in
 * the consent history; a message opens the window (`canRequest`); a request that
 * reserved a slot but never reached Meta leaves the thread `requested`.
 */
const unappliedFlows = async (flows: readonly Flow[], api: string, store: PermissionStore): Promise<string[]> => {
  const deadline = performance.now() + APPLIED_WITHIN_MS;
  let pending = [...flows];
  for (;;) {
    const still: { flow: Flow; why: string }[] = [];
    for (const flow of pending) {
      const why = await whyUnapplied(flow, api, store);
      if (why !== null) still.push({ flow, why });
    }
    if (still.length === 0 || performance.now() > deadline) return still.map((s) => `${s.flow.kind} ${key(s.flow.thread)}: ${s.why}`);
    pending = still.map((s) => s.flow);
    await delay(200);
  }
};

const whyUnapplied = async (flow: Flow, api: string, store: PermissionStore): Promise<string | null> => {
  const res = await fetch(`${api}/threads/${flow.thread.pageId}/${flow.thread.psid}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  if (res.status !== 200) return `status answered ${res.status}`;
  const status = (await res.json()) as { state: string; expiresAt: number | null; canRequest: boolean };
  const reply = flow.deliveries.find((d) => d.what === 'reply');
  if (reply !== undefined) {
    if (status.state !== 'approved' || status.expiresAt !== reply.expiresAt) return `state ${status.state}, expiry ${String(status.expiresAt)}; acknowledged approval until ${String(reply.expiresAt)}`;
    const history: HistoryEntry[] = await store.history(flow.thread);
    if (!history.some((h) => h.to === 'approved' && h.expiresAt === reply.expiresAt)) return 'no approval in the consent history';
    return null;
  }
  if (flow.kind === 'ask' && flow.request?.optIn !== true) return status.state === 'requested' || status.canRequest ? null : `state ${status.state} after a request Meta never got`;
  return status.canRequest ? null : `the acknowledged message did not open the window (state ${status.state})`;
};
