import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadKey, type Thread } from '@callperm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/simulate/seededRandom.js';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import {
  DATABASE_URL, REDIS_CLUSTER_NODES, REDIS_CLUSTER_URL, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable,
} from '../support/reachable.js';
import { deliveryAtRisk } from './support/deliveryAtRisk.js';
import { dropNamespace, type Namespace } from './support/dropNamespace.js';
import { readOutcome } from './support/readOutcome.js';
import { ReliabilityRig } from './support/ReliabilityRig.js';
import { RestartingHost } from './support/RestartingHost.js';
import { serveChildEntry } from './support/serveChildEntry.js';
import type { ServeChildDriver } from './support/serveChildProtocol.js';
import { runSeed, soakScale } from './support/soakScale.js';
import { waitFor } from './support/waitFor.js';

const HOSTS = 4;
const THREADS = 20 * soakScale;
/** Steps of traffic (10 s to 2 min of virtual time each) before the settle phase. */
const STEPS = 40 * soakScale;
/** Kills of a host while it applies a webhook (the others carry on; it is restarted). */
const KILLS = 4 * soakScale;
const SETTLE_WITHIN_MS = 3_600_000;
const MINUTE = 60_000;
/** The namespace prefix of this suite: its schemas and key prefixes are `cprace_<runTag>`. */
const PREFIX = 'cprace';

/** A shared store the hosts race on. */
interface Backend {
  readonly name: string;
  readonly server: 'redis' | 'postgres' | 'cluster';
  readonly driver: ServeChildDriver;
  /** `--store` for namespace `ns`. */
  readonly spec: (ns: string) => string;
  readonly namespace: (ns: string) => Namespace;
  /** Removes what killed runs of this suite left (older than an hour). */
  readonly removeStale: () => Promise<unknown>;
}

const backends: readonly Backend[] = [
  {
    name: 'Redis', server: 'redis', driver: 'redis',
    spec: (ns) => `${REDIS_URL}#${ns}`, namespace: (ns) => ({ kind: 'redis', url: REDIS_URL, prefix: ns }),
    removeStale: () => removeStaleRedisKeys(PREFIX),
  },
  {
    name: 'PostgreSQL', server: 'postgres', driver: 'postgres',
    spec: (ns) => `${DATABASE_URL}#${ns}`, namespace: (ns) => ({ kind: 'postgres', url: DATABASE_URL, schema: ns }),
    removeStale: () => removeStalePostgresSchemas(PREFIX),
  },
  {
    name: 'a Redis Cluster of 3 masters', server: 'cluster', driver: 'redis-cluster',
    spec: (ns) => `${REDIS_CLUSTER_URL}#${ns}`, namespace: (ns) => ({ kind: 'redis-cluster', nodes: REDIS_CLUSTER_NODES, prefix: ns }),
    removeStale: async () => {
      const { Cluster } = await import('ioredis');
      const client = new Cluster([...REDIS_CLUSTER_NODES]);
      try {
        await client.ping();
        return await removeStaleRedisKeys(PREFIX, { client });
      } finally {
        client.disconnect();
      }
    },
  },
];

/** Thread `i`: one Page each (serve's API limits asks per Page). */
const threadOf = (i: number): Thread => ({ pageId: String(7_300_000 + i), psid: String(8_400_000_000 + i) });

/**
 * HOSTS `callperm serve` processes share one store and race: the balancer sends
 * each webhook delivery, each of Meta's duplicates and retries, and each of the
 * business's asks to a host it picks (seeded); every delivery comes twice and its
 * first answer is lost, so Meta retries it, often on another host; a third of the
 * asks are doubled at once on two hosts; now and then a host is killed inside a
 * webhook's apply and restarted while the others carry on. The promises of the
 * kill test hold, read from Meta's records and the shared store.
 */
for (const backend of backends) {
  describe.runIf(await serverReachable(backend.server))(`${HOSTS} serve processes racing on ${backend.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'callperm-race-'));
    const ns = `${PREFIX}_${runTag()}`;
    afterAll(async () => {
      await dropNamespace(backend.namespace(ns));
      rmSync(dir, { recursive: true, force: true });
    });
    const seed = runSeed();

    it(`sends one opt-in per thread and applies every acknowledged delivery (seed ${seed}: replay with FC_SEED=${seed})`, async () => {
      await backend.removeStale();
      const started = performance.now();
      const rng = seededRandom(seed);
      const choices = rng.fork();
      const spec = backend.spec(ns);
      const rig = await ReliabilityRig.start({ rng, faults: { duplicates: 1, lose: { attempts: 1, where: 'response' } } });
      const entry = await serveChildEntry();
      const hosts = Array.from({ length: HOSTS }, (_, i) => new RestartingHost(`host${i + 1}`, rig.childConfig(dir, spec, backend.driver), entry, 1));
      const threads = Array.from({ length: THREADS }, (_, i) => threadOf(i));
      const joinStep = (i: number): number => 1 + Math.floor((i * STEPS * 0.6) / THREADS);
      const joined: Thread[] = [];
      /** The steps a kill is due at: spread over the traffic, none in the first steps (every host starts clean). */
      const killSteps = new Set(Array.from({ length: KILLS }, (_, k) => Math.floor(STEPS * (0.1 + (0.6 * (k + choices.next())) / KILLS))));
      let killsDue = 0;
      let kills = 0;
      const live = (): RestartingHost[] => hosts.filter((h) => h.current.alive);
      const restartDead = async (): Promise<void> => {
        for (const h of hosts) {
          if (h.current.alive) continue;
          await h.restart(rig.clock.now());
        }
        rig.lb.setHosts(live().map((h) => h.balanced));
      };

      try {
        await Promise.all(hosts.map((h) => h.start(rig.clock.now())));
        rig.lb.setHosts(hosts.map((h) => h.balanced));
        for (let step = 1; step <= STEPS; step += 1) {
          for (let i = joined.length; i < THREADS && joinStep(i) <= step; i += 1) {
            joined.push(threads[i]!);
            rig.message(threads[i]!);
          }
          // People whose thread the hosts show approved chat on (more deliveries to race on, and to kill in).
          for (const t of joined) if (rig.business.settled.has(threadKey(t)) && choices.chance(0.05)) rig.message(t);
          if (killSteps.has(step)) killsDue += 1;
          if (killsDue > 0 && !rig.lb.armed && !deliveryAtRisk(rig.sim.attempts, 4)) {
            rig.lb.armWebhookKill((h) => {
              killsDue -= 1;
              kills += 1;
              h.kill();
            });
          }
          await rig.business.askUnsettled(joined, () => choices.chance(0.3));
          await rig.advance(choices.int(10_000, 120_000), live().map((h) => h.current));
          await restartDead();
        }
        rig.lb.disarm();
        const lastTrafficAt = rig.clock.now();
        const watched = await openStore(parseStoreSpec(spec, dir));
        try {
          while (rig.clock.now() < lastTrafficAt + SETTLE_WITHIN_MS && rig.business.settled.size < THREADS) {
            await rig.business.askUnsettled(joined, () => choices.chance(0.3));
            const now = await rig.advance(MINUTE, live().map((h) => h.current));
            await waitFor(async () => (await watched.store.due(now, 1)).length === 0, 2_000);
          }
        } finally {
          await watched.close();
        }
        const settleMs = rig.clock.now() - lastTrafficAt;

        expect(await Promise.all(hosts.map((h) => h.stop())), `seed ${seed}: every serve exits 0 on SIGTERM`).toEqual(hosts.map(() => 0));
        const opened = await openStore(parseStoreSpec(spec, dir));
        try {
          const final = await rig.finalSweep(opened.store);
          const outcome = await readOutcome(rig, opened.store, threads);
          const stderrKinds = new Map<string, number>();
          for (const h of hosts) for (const [kind, n] of h.stderrKinds()) stderrKinds.set(kind, (stderrKinds.get(kind) ?? 0) + n);
          const perHost = Object.fromEntries(hosts.map((h) => [h.name, rig.lb.deliveries.filter((d) => d.host.startsWith(`${h.name}#`)).length]));
          console.log(`[racingHosts ${backend.name}] ${JSON.stringify({
            seed, hosts: HOSTS, kills, ...outcome.figures, deliveriesPerHost: perHost, settleMinutes: Math.round(settleMs / MINUTE),
            asks: Object.fromEntries(rig.business.outcomes), finalSweep: { due: final.due, checked: final.checked, inbox: final.inbox, failed: final.failed },
            wallSeconds: Math.round((performance.now() - started) / 1000),
            stderr: Object.fromEntries(stderrKinds),
          })}`);
          expect.soft(hosts.flatMap((h) => h.deaths).filter((d) => d.exit !== 'SIGKILL'), `seed ${seed}: every death was our SIGKILL`).toEqual([]);
          expect.soft(kills, `seed ${seed}: hosts killed inside a webhook's apply`).toBe(KILLS);
          expect.soft(outcome.violations, `seed ${seed}: Meta's records show no reservation sent twice, no quota exceeded`).toEqual([]);
          expect.soft(outcome.refusedForQuota, `seed ${seed}: Meta refused no send for the quota`).toBe(0);
          expect.soft(outcome.unapplied, `seed ${seed}: every delivery a host answered 200 is applied`).toEqual([]);
          expect.soft(outcome.stranded, `seed ${seed}: no thread left requested without a due follow-up`).toEqual([]);
          expect.soft(outcome.unsettled, `seed ${seed}: every thread whose business keeps asking ends with exactly one accepted opt-in`).toEqual([]);
        } finally {
          await opened.close();
        }
      } finally {
        await Promise.all(hosts.map((h) => h.kill()));
        await rig.close();
      }
    }, soakScale === 1 ? 180_000 : 3_600_000);
  });
}
