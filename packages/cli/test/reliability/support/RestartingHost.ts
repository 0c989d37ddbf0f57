import type { Instant } from '@callperm/core';
import type { BalancedHost } from './HostBalancer.js';
import { ServeProcess } from './ServeProcess.js';
import type { ServeChildEntry } from './serveChildEntry.js';
import type { ServeChildConfig } from './serveChildProtocol.js';

/** How one life of the host ended. */
export interface HostDeath {
  readonly life: number;
  /** `SIGKILL` for a kill; anything else is a crash. */
  readonly exit: number | string | null;
  /** Killed on a COMMIT stall (inside an open group commit). */
  readonly onStall: boolean;
  /** Its last stderr lines (for a crash's report). */
  readonly stderr: readonly string[];
}

/**
 * One serve host that is restarted on the same store after every death, as a
 * supervisor would: `restart` waits for the dead process's exit, then starts a
 * spare at the run's virtual instant. Spares are new OS processes created ahead
 * of time with their modules loaded (a fresh `node` takes seconds to load the CLI
 * on a busy machine; opening the store and listening happen only on start).
 *
 * @example
 * const host = new RestartingHost('serve', config, await serveChildEntry());
 * await host.start(clock.now());
 * host.current.kill();
 * await host.restart(clock.now());
 */
export class RestartingHost {
  readonly deaths: HostDeath[] = [];
  #spares: ServeProcess[] = [];
  /** The processes that died, in order. */
  readonly #dead: ServeProcess[] = [];
  #spawned = 0;
  #current: ServeProcess;

  constructor(
    readonly name: string, private readonly config: ServeChildConfig, private readonly entry: ServeChildEntry, spareCount = 2,
  ) {
    this.#current = this.#spawn();
    for (let i = 0; i < spareCount; i += 1) this.#spares.push(this.#spawn());
  }

  #spawn(): ServeProcess {
    this.#spawned += 1;
    return new ServeProcess(`${this.name}#${this.#spawned}`, this.config, this.entry);
  }

  get current(): ServeProcess {
    return this.#current;
  }

  /** The current process as the balancer sees it. */
  get balanced(): BalancedHost {
    const p = this.#current;
    if (p.urls === null) throw new Error(`${p.name} is not started`);
    return { name: p.name, url: p.urls.url, kill: () => p.kill() };
  }

  async start(now: Instant): Promise<void> {
    await this.#current.start(now);
  }

  /** After the current process died: records how, and starts a spare at `now`. */
  async restart(now: Instant): Promise<HostDeath> {
    const dead = this.#current;
    const exit = await dead.exited;
    const death: HostDeath = { life: this.deaths.length + 1, exit, onStall: dead.killedOnStall, stderr: [...dead.stderr] };
    this.deaths.push(death);
    this.#dead.push(dead);
    this.#current = this.#spares.shift() ?? this.#spawn();
    this.#spares.push(this.#spawn());
    await this.#current.start(now);
    return death;
  }

  /** How many stderr lines of each kind every life so far wrote (the current one included). */
  stderrKinds(): Map<string, number> {
    const all = new Map<string, number>();
    for (const p of [...this.#dead, this.#current]) for (const [k, n] of p.stderrKinds) all.set(k, (all.get(k) ?? 0) + n);
    return all;
  }

  /** Stops the current process as SIGTERM does (its exit code) and kills the spares. */
  async stop(): Promise<number | string | null> {
    for (const s of this.#spares) s.kill();
    const code = await this.#current.stop();
    await Promise.all(this.#spares.map((s) => s.exited));
    this.#spares = [];
    return code;
  }

  /** Kills everything (cleanup after a failure). */
  async kill(): Promise<void> {
    const all = [this.#current, ...this.#spares];
    for (const p of all) p.kill();
    await Promise.all(all.map((p) => p.exited));
  }
}
