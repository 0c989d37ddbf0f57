import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryEntry, Thread } from '@callperm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSource } from '../../src/chart/describeSource.js';
import { REPLAY_LIMIT } from '../../src/chart/historyReplay.js';
import { createPersonas } from '../../src/simulate/Persona.js';
import type { SimulationSummary } from '../../src/simulate/runSimulation.js';
import { seededRandom } from '../../src/simulate/seededRandom.js';
import type { ChannelMode } from '../../src/simulate/SimulationConfig.js';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { exitCodes } from '../../src/CliError.js';
import { cli, scratchDir } from '../support/captureIo.js';

const launcher = fileURLToPath(new URL('../../bin/callperm.js', import.meta.url));
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

const report = (dir: string): { summary: SimulationSummary } =>
  JSON.parse(readFileSync(join(dir, 'simulate-report.json'), 'utf8')) as { summary: SimulationSummary };

const noViolations = (s: SimulationSummary): void => {
  expect(s.violations).toEqual({ quotaExceeded: 0, callWithoutPermission: 0, callOverQuota: 0, reservationSentTwice: 0, againstReminderOrDecline: 0, total: 0 });
  expect(s.host.callsPlaced).toBeLessThanOrEqual(s.calls.connected);
};

describe('callperm simulate (small, in-process)', () => {
  const args = ['simulate', '--threads', '60', '--days', '4', '--seed', '11', '--no-progress'];

  it('prints the same summary for the same seed, with no violation, and writes the report and the chart', async () => {
    const a = await cli([...args, '--out-dir', 'a'], { cwd: scratch.dir });
    const b = await cli([...args, '--out-dir', 'b', '--store', `sqlite:${join(scratch.dir, 'b.sqlite')}`], { cwd: scratch.dir });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const { summary } = report(join(scratch.dir, 'a'));
    noViolations(summary);
    // The business's calls went through startCall and reached Meta: the connect invariants were exercised.
    expect(summary.calls.connected).toBeGreaterThan(0);
    expect(summary.config).toMatchObject({ threads: 60, days: 4, seed: 11, faults: 'meta' });
    expect(Object.values(summary.finalStates).reduce((x, y) => x + y, 0)).toBe(60);
    expect(summary.webhooks.posts).toBeGreaterThan(0);
    // Meta's side: every send is accounted for, some people are unavailable and one Page had calling off.
    const m = summary.sends;
    expect(m.accepted + m.faulted + Object.values(m.refused).reduce((x, y) => x + y, 0)).toBe(m.sends);
    expect(m.accepted).toBe(summary.optInsSent);
    expect(summary.world.pagesCallingOff).toBe(1);
    expect(a.stdout).toContain('Graph requests per opt-in sent');
    const html = readFileSync(join(scratch.dir, 'a', 'simulate-chart.html'), 'utf8');
    expect(html).toContain('id="state-counts"');
  });

  it('gives another summary for another seed', async () => {
    const a = await cli([...args, '--out-dir', 'c'], { cwd: scratch.dir });
    const c = await cli(['simulate', '--threads', '60', '--days', '4', '--seed', '12', '--no-progress', '--out-dir', 'c'], { cwd: scratch.dir });
    expect(c.code).toBe(0);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('runs on the memory store with a tidy Meta', async () => {
    const run = await cli(['simulate', '--threads', '30', '--days', '3', '--store', 'memory', '--faults', 'none', '--no-progress', '--out-dir', 'm'], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    const { summary } = report(join(scratch.dir, 'm'));
    noViolations(summary);
    expect(summary.host.requestRefusals).not.toHaveProperty('send_ambiguous:transient');
  });

  it('leaves each thread\'s consent history in the store, which chart --thread replays with its sources', async () => {
    const out = await cli([...args, '--out-dir', 'h'], { cwd: scratch.dir });
    expect(out.code).toBe(0);
    const file = join(scratch.dir, 'h', 'simulate.sqlite');

    // The simulation's 60 threads (their ids do not depend on the seed); find one a consumer approved by a reply.
    const threads: Thread[] = createPersonas(seededRandom(0), 60).map((p) => p.thread);
    const opened = await openStore(parseStoreSpec(`sqlite:${file}`, scratch.dir));
    let approved: { thread: Thread; history: HistoryEntry[] } | undefined;
    try {
      for (const thread of threads) {
        const history = await opened.store.history(thread, { limit: REPLAY_LIMIT });
        if (history.some((e) => e.event === 'REPLY_APPROVE')) {
          approved = { thread, history };
          break;
        }
      }
    } finally {
      await opened.close();
    }
    expect(approved, 'seed 11 has a thread whose opt-in was approved').toBeDefined();
    const { thread, history } = approved!;

    const run = await cli(['chart', '--format', 'html', '--thread', `${thread.pageId}:${thread.psid}`, '--store', `sqlite:${join('h', 'simulate.sqlite')}`], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    const { replay } = JSON.parse(/id="callperm-data">(.*?)<\/script>/s.exec(run.stdout)![1]!) as {
      replay: { start: string; steps: (HistoryEntry & { time: string; via: string })[] };
    };
    expect(replay.steps.map(({ time: _time, via: _via, ...e }) => e)).toEqual([...history].reverse());
    expect(replay.start).toBe(replay.steps[0]!.from);

    // REQUEST, REQUEST_SENT (the opt-in Meta took), then the webhook reply to that opt-in.
    const approve = replay.steps.findIndex((e) => e.event === 'REPLY_APPROVE');
    const reply = replay.steps[approve]!;
    expect(reply).toMatchObject({ from: 'requested', to: 'approved', source: { kind: 'webhook' } });
    const optIn = reply.source.kind === 'webhook' ? reply.source.optInMessageId : null;
    expect(optIn).not.toBeNull();
    const before = replay.steps.slice(0, approve);
    const sent = before.findLast((e) => e.event === 'REQUEST_SENT');
    expect(sent?.source).toMatchObject({ kind: 'opt_in', messageId: optIn });
    const requested = before.findLast((e) => e.event === 'REQUEST');
    expect(requested?.source).toMatchObject({ kind: 'opt_in', requestedAt: sent?.source.kind === 'opt_in' ? sent.source.requestedAt : -1 });
    for (const [i, e] of replay.steps.entries()) {
      expect(e.via).toBe(describeSource(e.source));
      expect(new RegExp(`<li data-step="${i + 1}">(.*?)</li>`).exec(run.stdout)![1]).toContain(describeSource(e.source));
    }
  });

  it.each<[ChannelMode]>([['whatsapp'], ['both']])('--channel %s: the same summary for the same seed, no violation, WhatsApp requests accepted by Meta', async (channel) => {
    const small = ['simulate', '--threads', '60', '--days', '4', '--seed', '11', '--channel', channel, '--no-progress'];
    const a = await cli([...small, '--out-dir', `${channel}-a`], { cwd: scratch.dir });
    const b = await cli([...small, '--out-dir', `${channel}-b`, '--store', 'memory'], { cwd: scratch.dir });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout).toMatch(new RegExp(`channel\\s+│\\s+${channel} │`));
    const { summary } = report(join(scratch.dir, `${channel}-a`));
    noViolations(summary);
    expect(summary.config).toMatchObject({ threads: 60, days: 4, seed: 11, channel });
    expect(Object.values(summary.finalStates).reduce((x, y) => x + y, 0)).toBe(60);
    const m = summary.sends;
    expect(m.accepted + m.faulted + Object.values(m.refused).reduce((x, y) => x + y, 0)).toBe(m.sends);
    expect(summary.calls.connected).toBeGreaterThan(0);
    // The people on WhatsApp threads: half of them with `both`, all with `whatsapp`.
    const personas = createPersonas(seededRandom(0), 60, channel);
    const onWhatsApp = personas.filter((p) => p.thread.channel === 'whatsapp').length;
    expect(onWhatsApp).toBe(channel === 'both' ? 30 : 60);
    if (channel === 'whatsapp') expect(summary.world.pagesCallingOff).toBe(0);
    else expect(summary.world.pagesCallingOff).toBe(1);
    // Meta took WhatsApp requests: some WhatsApp threads' histories hold a REQUEST_SENT (an opt-in Meta accepted).
    const opened = await openStore(parseStoreSpec(`sqlite:${join(scratch.dir, `${channel}-a`, 'simulate.sqlite')}`, scratch.dir));
    let sent = 0;
    try {
      for (const p of personas.filter((x) => x.thread.channel === 'whatsapp')) {
        const history = await opened.store.history(p.thread, { limit: REPLAY_LIMIT });
        if (history.some((e) => e.event === 'REQUEST_SENT')) sent += 1;
      }
    } finally {
      await opened.close();
    }
    expect(sent).toBeGreaterThan(0);
  });

  it.each([[['--threads', '0']], [['--days', 'x']], [['--seed', '-1']], [['--faults', 'chaos']], [['--channel', 'sms']]])('%j is a usage error', async (extra) => {
    const run = await cli(['simulate', ...extra, '--no-progress'], { cwd: scratch.dir });
    expect(run.code).toBe(exitCodes.usage);
  });
});

/** `callperm simulate ...` as a child process, as a user runs it. */
const simulate = async (outDir: string): Promise<{ code: number | null; stdout: string }> => {
  const child = spawn(process.execPath, [launcher, 'simulate', '--threads', '1000', '--days', '30', '--seed', '7', '--no-progress', '--out-dir', outDir], {
    cwd: scratch.dir, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout };
};

describe('callperm simulate --threads 1000 --days 30 --seed 7', () => {
  it('finishes with 0 violations, and two runs with the same seed print the same summary', { timeout: 900_000 }, async () => {
    // The two runs go side by side (one core each), as separate processes.
    const [first, second] = await Promise.all([simulate('full-1'), simulate('full-2')]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const { summary } = report(join(scratch.dir, 'full-1'));
    noViolations(summary);
    expect(summary.config).toMatchObject({ threads: 1000, days: 30, seed: 7 });
    expect(summary.optInsSent).toBeGreaterThan(0);
  });
});
