import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadKey, type Thread } from '@callperm/core';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/simulate/seededRandom.js';
import { deliveryAtRisk } from './support/deliveryAtRisk.js';
import { KillSwitch } from './support/KillSwitch.js';
import { readOutcome } from './support/readOutcome.js';
import { ReliabilityRig } from './support/ReliabilityRig.js';
import { requestedWithoutFollowUp } from './support/requestedWithoutFollowUp.js';
import { RestartingHost } from './support/RestartingHost.js';
import { serveChildEntry } from './support/serveChildEntry.js';
import { runSeed, soakScale } from './support/soakScale.js';
import { waitFor } from './support/waitFor.js';

const KILLS = 50 * soakScale;
const THREADS = 20 * soakScale;
/** After the last kill, every thread must be settled within this much virtual time. */
const SETTLE_WITHIN_MS = 3_600_000;
/** Right after a kill, a send it cut short must come due for its check within this long of its reservation. */
const CUT_SHORT_WITHIN_MS = 15 * 60_000;
const MINUTE = 60_000;

/** Thread `i`: one Page each (serve's API limits asks per Page), ids as Meta's digits. */
const threadOf = (i: number): Thread => ({ pageId: String(7_100_000 + i), psid: String(8_200_000_000 + i) });

/**
 * One `callperm serve` process on a SQLite file takes the traffic of THREADS
 * threads (people write, the business keeps asking through the JSON API, Meta's
 * people accept and Meta posts signed webhooks) and is SIGKILLed KILLS times at
 * seeded places (see `KillKind`), each time restarted on the same file at the same
 * virtual instant. Then an hour at most without kills, a clean stop, a final sweep,
 * and the checks: from Meta's records, from the store, and from the file.
 */
describe('callperm serve under SIGKILL, restarted on the same SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callperm-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const seed = runSeed();

  it(`keeps every promise across ${KILLS} kills of ${THREADS} threads' traffic (seed ${seed}: replay with FC_SEED=${seed})`, async () => {
    const started = performance.now();
    const rng = seededRandom(seed);
    const choices = rng.fork();
    const file = join(dir, 'serve.sqlite');
    const rig = await ReliabilityRig.start({ rng });
    const startedAt = rig.clock.now();
    const host = new RestartingHost('serve', rig.childConfig(dir, `sqlite:${file}`, 'sqlite'), await serveChildEntry());
    const kills = new KillSwitch(rng.fork(), rig.gate, rig.lb, () => host.current);
    const threads = Array.from({ length: THREADS }, (_, i) => threadOf(i));
    const joinStep = (i: number): number => 1 + Math.floor((i * KILLS * 0.8) / THREADS);
    const joined: Thread[] = [];
    /** Problems found while the host was dead, each once, with the kill that first showed it. */
    const afterKill = new Map<string, number>();
    const cutShortLate = new Map<string, number>();
    const note = (found: Map<string, number>, problems: readonly string[], kill: number): void => {
      for (const p of problems) if (!found.has(p)) found.set(p, kill);
    };
    let restartMs = 0;

    /** While the host is dead: the file is sound, and every thread it left `requested` has a follow-up (soon, for a send cut short). */
    const inspectAfterKill = async (): Promise<void> => {
      const store = await sqliteStore({ filename: file });
      try {
        const n = kills.landed.length;
        const check = store.database.pragma('quick_check', { simple: true }) as string;
        note(afterKill, check === 'ok' ? [] : [`quick_check: ${check}`], n);
        const stranded = await requestedWithoutFollowUp(store, joined, { cutShortWithinMs: CUT_SHORT_WITHIN_MS });
        note(afterKill, stranded.filter((s) => s.problem !== 'cut_short_late').map((s) => `${s.thread} ${s.problem}`), n);
        note(cutShortLate, stranded.filter((s) => s.problem === 'cut_short_late').map((s) => `${s.thread} due ${s.dueInMinutes} min after its reservation`), n);
      } finally {
        await store.close();
      }
    };
    const restartIfDead = async (): Promise<void> => {
      if (host.current.alive) return;
      rig.lb.setHosts([]);
      await host.current.exited;
      kills.died(host.current);
      await inspectAfterKill();
      const t0 = performance.now();
      await host.restart(rig.clock.now());
      restartMs += performance.now() - t0;
      rig.lb.setHosts([host.balanced]);
    };

    try {
      await host.start(rig.clock.now());
      rig.lb.setHosts([host.balanced]);
      // Kill phase: threads join, traffic every step, a kill armed most steps, a restart after each.
      for (let step = 1; kills.landed.length < KILLS && step <= KILLS * 8; step += 1) {
        for (let i = joined.length; i < THREADS && joinStep(i) <= step; i += 1) {
          joined.push(threads[i]!);
          rig.message(threads[i]!);
        }
        // People whose thread the host shows approved chat on (more webhooks to kill in); earlier, a message would invite a reminder.
        for (const t of joined) if (rig.business.settled.has(threadKey(t)) && choices.chance(0.05)) rig.message(t);
        if (!deliveryAtRisk(rig.sim.attempts, 4)) kills.maybeArm(step, joined.some((t) => !rig.business.settled.has(threadKey(t))));
        await rig.business.askUnsettled(joined);
        await rig.advance(choices.int(10_000, 120_000), [host.current]);
        await kills.afterStep(step);
        await restartIfDead();
      }
      const lastKillAt = rig.clock.now();
      // Settle phase: no more kills; the business keeps asking until every thread is settled, for an hour at most.
      const watched = await sqliteStore({ filename: file });
      try {
        while (rig.clock.now() < lastKillAt + SETTLE_WITHIN_MS && rig.business.settled.size < THREADS) {
          await rig.business.askUnsettled(joined);
          const now = await rig.advance(MINUTE, [host.current]);
          // The host's sweep runs on a wall-clock timer: wait until it has taken what fell due (2 s at most).
          await waitFor(async () => (await watched.due(now, 1)).length === 0, 2_000);
        }
      } finally {
        await watched.close();
      }
      const settleMs = rig.clock.now() - lastKillAt;

      expect(await host.stop(), `seed ${seed}: serve exits 0 on SIGTERM`).toBe(0);
      const store = await sqliteStore({ filename: file });
      try {
        const sweep = await rig.finalSweep(store);
        const integrity = store.database.pragma('integrity_check', { simple: true }) as string;
        const outcome = await readOutcome(rig, store, threads);
        console.log(`[killRestart] ${JSON.stringify({
          seed, kills: kills.landed.length, byKind: kills.byKind(), ...outcome.figures, settleMinutes: Math.round(settleMs / MINUTE),
          virtualHours: Math.round((rig.clock.now() - startedAt) / 360_000) / 10, asks: Object.fromEntries(rig.business.outcomes),
          finalSweep: { due: sweep.due, checked: sweep.checked, inbox: sweep.inbox, failed: sweep.failed },
          wallSeconds: Math.round((performance.now() - started) / 1000), restartSeconds: Math.round(restartMs / 1000),
          stderr: Object.fromEntries(host.stderrKinds()),
        })}`);
        expect.soft(host.deaths.filter((d) => d.exit !== 'SIGKILL'), `seed ${seed}: every death was our SIGKILL`).toEqual([]);
        expect.soft(kills.landed.length, `seed ${seed}: kills`).toBeGreaterThanOrEqual(KILLS);
        expect.soft(Object.entries(kills.byKind()).filter(([, n]) => n === 0).map(([kind]) => kind), `seed ${seed}: kills landed at every place`).toEqual([]);
        expect.soft(integrity, `seed ${seed}: PRAGMA integrity_check`).toBe('ok');
        expect.soft([...afterKill], `seed ${seed}: after each kill, the file is sound and every requested thread has a follow-up`).toEqual([]);
        expect.soft(outcome.violations, `seed ${seed}: Meta's records show no reservation sent twice, no quota exceeded`).toEqual([]);
        expect.soft(outcome.refusedForQuota, `seed ${seed}: Meta refused no send for the quota`).toBe(0);
        expect.soft(outcome.unapplied, `seed ${seed}: every delivery a host answered 200 is applied`).toEqual([]);
        expect.soft(outcome.stranded, `seed ${seed}: no thread left requested without a due follow-up`).toEqual([]);
        expect.soft([...cutShortLate], `seed ${seed}: a send cut short by a kill comes due for a check within minutes`).toEqual([]);
        expect.soft(outcome.unsettled, `seed ${seed}: every thread whose business keeps asking ends with exactly one accepted opt-in, within an hour of the last kill`)
          .toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await host.kill();
      await rig.close();
    }
  }, soakScale === 1 ? 300_000 : 3_600_000);
});
