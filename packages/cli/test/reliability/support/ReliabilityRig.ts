import { graphApi } from '@callperm/adapters/graph';
import { createCallPermissions, type Instant, type PermissionStore, type SweepReport, type Thread } from '@callperm/core';
import { createConsumerSimulator, createFakeGraphApi, VirtualClock, type ConsumerSimulator, type DeliveryFaults, type FakeGraphApi } from '@callperm/testing';
import type { SeededRandom } from '../../../src/simulate/seededRandom.js';
import { Business } from './Business.js';
import { GraphGate } from './GraphGate.js';
import { HostBalancer } from './HostBalancer.js';
import { ServeExitedError, type ServeProcess } from './ServeProcess.js';
import type { ServeChildConfig, ServeChildDriver } from './serveChildProtocol.js';

export const PAGE_TOKEN = 'reliability-page-token';
export const APP_SECRET = 'reliability-app-secret';
export const VERIFY_TOKEN = 'reliability-verify-token';
export const API_TOKEN = 'reliability-api-token-0123456789abcdef';
/** How long a person keeps a permission they grant in these runs: longer than any run, so one opt-in settles a thread. */
export const GRANT_MS = 30 * 86_400_000;

/** Options of {@link ReliabilityRig.start}. */
export interface RigOptions {
  readonly rng: SeededRandom;
  /** How Meta's webhook delivery misbehaves (default: it does not). */
  readonly faults?: DeliveryFaults;
}

/**
 * Everything around the serve processes of a reliability test, on one virtual
 * clock: the fake Meta (its HTTP face, behind a {@link GraphGate} that can kill at
 * a send), the consumer simulator (people who accept opt-ins, Meta's signed and
 * retried webhooks), a {@link HostBalancer} that spreads the webhooks and the
 * business's API calls over the live hosts, and the {@link Business} that keeps
 * asking. Time moves only by `advance`, which sets every live host's clock first.
 *
 * @example
 * const rig = await ReliabilityRig.start({ rng });
 * const host = new ServeProcess('a', rig.childConfig(dir, 'sqlite:x.sqlite', 'sqlite'), await serveChildEntry());
 * rig.lb.setHosts([{ name: 'a', url: (await host.start(rig.clock.now())).url, kill: () => host.kill() }]);
 * await rig.advance(60_000, [host]);
 */
export class ReliabilityRig {
  private constructor(
    readonly clock: VirtualClock,
    readonly fake: FakeGraphApi,
    readonly gate: GraphGate,
    readonly lb: HostBalancer,
    readonly sim: ConsumerSimulator,
    readonly business: Business,
  ) {}

  static async start(options: RigOptions): Promise<ReliabilityRig> {
    const clock = new VirtualClock(Date.UTC(2026, 2, 2, 9));
    const fake = await createFakeGraphApi({ clock, accessTokens: PAGE_TOKEN, appSecret: APP_SECRET });
    const gate = await GraphGate.start(fake.url);
    const picks = options.rng.fork();
    const lb = await HostBalancer.start((n) => picks.int(0, n - 1), () => clock.now());
    const answers = options.rng.fork();
    const sim = createConsumerSimulator({
      fake, hostUrl: `${lb.url}/webhook`, appSecret: APP_SECRET,
      // People tap Accept 20 s to 4 min after the opt-in reaches them.
      behaviour: () => ({ kind: 'approve', afterMs: answers.int(20_000, 240_000), expiresInMs: GRANT_MS }),
      ...(options.faults ? { faults: options.faults } : {}),
    });
    return new ReliabilityRig(clock, fake, gate, lb, sim, new Business(lb.url, API_TOKEN, fake));
  }

  /** A serve child's configuration: `--store spec`, the fake Meta behind the gate, sweeps every 50 ms of wall time. */
  childConfig(cwd: string, store: string, driver: ServeChildDriver): ServeChildConfig {
    return {
      args: ['--port', '0', '--store', store, '--sweep-every', '0.05'],
      cwd, driver,
      env: { PAGE_ACCESS_TOKEN: PAGE_TOKEN, APP_SECRET, VERIFY_TOKEN, CALLPERM_API_TOKEN: API_TOKEN, GRAPH_BASE_URL: this.gate.url },
    };
  }

  /**
   * Moves virtual time on by `ms`: every live host's clock first (a host that dies
   * meanwhile is skipped), then Meta's and the people's, then everything that fell
   * due is delivered; the hosts' calls to Meta wait meanwhile (`GraphGate.hold`).
   */
  async advance(ms: number, hosts: readonly ServeProcess[]): Promise<Instant> {
    const to = this.clock.now() + ms;
    // Until Meta's world is at `to` too, a host asking Meta (its sweep) waits: it must not read the past as the present.
    this.gate.hold();
    try {
      await Promise.all(hosts.filter((h) => h.alive).map((h) => h.setClock(to).catch((e: unknown) => {
        if (!(e instanceof ServeExitedError)) throw e;
      })));
      this.clock.set(to);
      await this.sim.settle();
    } finally {
      this.gate.release();
    }
    return to;
  }

  /**
   * The last sweep, run in this process on the run's store with the run's clock
   * (as one more host would): it applies any delivery still parked in the inbox.
   */
  async finalSweep(store: PermissionStore): Promise<SweepReport> {
    const graph = graphApi({ accessToken: PAGE_TOKEN, appSecret: APP_SECRET, baseUrl: this.fake.url, clock: this.clock });
    try {
      return await createCallPermissions({ graph, store, clock: this.clock }).sweep();
    } finally {
      graph.close();
    }
  }

  /** The person behind `thread` writes to the Page now (the messaging window opens; Meta posts the message). */
  message(thread: Thread): void {
    this.sim.message(thread);
  }

  async close(): Promise<void> {
    this.sim.close();
    await Promise.all([this.lb.close(), this.gate.close()]);
    await this.fake.close();
  }
}
