import type { SeededRandom } from '../../../src/simulate/seededRandom.js';
import type { GraphGate } from './GraphGate.js';
import type { HostBalancer } from './HostBalancer.js';
import type { ServeProcess } from './ServeProcess.js';

/**
 * Where a kill lands: as an opt-in send reaches Meta (never sent) or once Meta
 * sent it (its answer never comes back); once a webhook body reached serve (inside
 * its apply); inside an open SQLite group commit (the process blocks before its
 * COMMIT and is killed there); or at a random moment of a step's traffic.
 */
export type KillKind = 'send_unsent' | 'send_unanswered' | 'webhook_apply' | 'group_commit' | 'anytime';

/** Every kind, with how often it is picked. */
export const killKinds: readonly { readonly kind: KillKind; readonly weight: number }[] = [
  { kind: 'send_unsent', weight: 4 }, { kind: 'send_unanswered', weight: 4 }, { kind: 'webhook_apply', weight: 3 },
  { kind: 'group_commit', weight: 2 }, { kind: 'anytime', weight: 1 },
];

/** An armed send or webhook kill that no send or webhook came to is dropped after this many steps. */
const ARM_STEPS = 6;

/**
 * Arms one SIGKILL at a time at a seeded place ({@link KillKind}) against the
 * current serve process, and counts the kills that landed. A group-commit kill
 * stays armed in its process until a COMMIT comes (they are frequent); a send or
 * webhook kill is dropped after a few steps with none.
 *
 * @example
 * const kills = new KillSwitch(rng, gate, lb, () => host.current);
 * kills.maybeArm(step, true);
 * await traffic();
 * await kills.afterStep(step);
 */
export class KillSwitch {
  /** The kills that landed, in order. */
  readonly landed: KillKind[] = [];
  #armed: { readonly kind: KillKind; readonly step: number } | null = null;
  #anytime: Promise<void> | null = null;

  constructor(
    private readonly rng: SeededRandom,
    private readonly gate: GraphGate,
    private readonly lb: HostBalancer,
    private readonly current: () => ServeProcess,
  ) {}

  /** Kills the current process now, counted as `kind` (nothing if it is already dead). */
  kill(kind: KillKind): void {
    const p = this.current();
    if (!p.alive) return;
    this.landed.push(kind);
    p.kill();
  }

  /**
   * Arms a kill of a seeded kind when none is armed (with probability `p`); send
   * kills only while `sending` (some business still asks: an opt-in may go out).
   */
  maybeArm(step: number, sending: boolean, p = 0.85): void {
    if (this.#armed !== null || !this.rng.chance(p)) return;
    const kinds = killKinds.filter((k) => sending || !k.kind.startsWith('send_'));
    const total = kinds.reduce((a, k) => a + k.weight, 0);
    let x = this.rng.between(0, total);
    this.arm(kinds.find((k) => (x -= k.weight) < 0)?.kind ?? 'anytime', step);
  }

  arm(kind: KillKind, step: number): void {
    this.#armed = { kind, step };
    switch (kind) {
      case 'send_unsent': return this.gate.armSendKill('unsent', () => this.kill(kind));
      case 'send_unanswered': return this.gate.armSendKill('unanswered', () => this.kill(kind));
      case 'webhook_apply': return this.lb.armWebhookKill(() => this.kill(kind));
      case 'group_commit': return this.current().stallNextCommit();
      case 'anytime': {
        const ms = this.rng.int(0, 40);
        this.#anytime = new Promise((resolve) => setTimeout(() => resolve(this.kill(kind)), ms));
      }
    }
  }

  /** At a step's end: an `anytime` kill has gone off, and a send or webhook kill armed too long ago is dropped. */
  async afterStep(step: number): Promise<void> {
    if (this.#anytime !== null) {
      await this.#anytime;
      this.#anytime = null;
      this.disarm();
    }
    const armed = this.#armed;
    if (armed !== null && armed.kind !== 'group_commit' && step - armed.step >= ARM_STEPS) this.disarm();
  }

  /** The process died: counts a kill its own COMMIT stall did, and clears what was armed (a new process starts clean). */
  died(p: ServeProcess): void {
    if (p.killedOnStall) this.landed.push('group_commit');
    this.disarm();
  }

  disarm(): void {
    this.gate.disarm();
    this.lb.disarm();
    this.#armed = null;
  }

  /** How many kills of each kind landed. */
  byKind(): Record<KillKind, number> {
    return Object.fromEntries(killKinds.map(({ kind }) => [kind, this.landed.filter((k) => k === kind).length])) as Record<KillKind, number>;
  }
}
