import { fc } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { parseWebhook } from '@callperm/core';
import { fakeMetaErrors } from '@callperm/testing';
import type { GraphFault } from './graphFaults.js';
import { expectQuotaHeld } from './modelCheck.js';
import type { ModelCommand } from './modelCommand.js';
import { deliverOwed, personCalls, reply, smallStep, write } from './modelCommands.js';
import { Advance, Deliver, Reply, Write } from './personCommands.js';
import { HOUR } from './referenceModel.js';
import { Refresh, Request, Sweep } from './serviceCommands.js';
import { THREADS, newModel, newTally, openWorld, type Model, type World } from './modelWorld.js';
import { runsFor, storesUnderTest, useStoreUnderTest, type StoreUnderTest } from './storesUnderTest.js';
import { switchableScheduledStore } from './switchableScheduledStore.js';

/**
 * Commands racing on one thread: after a random history (played through the model,
 * which checks it), two or three commands on thread 0 run at once, every store
 * call released in an order the fast-check scheduler picks. The outcome — every
 * thread's decision and every opt-in Meta saw — must be that of one of the serial
 * orders, each of which is itself played through the model, and the quota must
 * hold at Meta. A failure prints the seed and the scheduler's order.
 */
type RaceOp = 'request' | 'deliver' | 'sweep' | 'refresh';
const RACES: readonly (readonly RaceOp[])[] = [
  ['request', 'request'], ['request', 'deliver'], ['sweep', 'deliver'], ['request', 'sweep'], ['refresh', 'deliver'],
  ['request', 'request', 'deliver'], ['request', 'deliver', 'sweep'],
];
/** How the history's opt-in went: Meta took it, the answer was lost after Meta took it, Meta refused it, or none was asked. */
type FirstSend = 'accepted' | 'ambiguous' | 'refused' | 'none';
const FIRST_SEND: Record<FirstSend, GraphFault | null> = {
  accepted: null,
  ambiguous: { name: 'status_after', fault: { kind: 'status', status: 503, after: true }, send: { kind: 'ambiguous' }, processed: true },
  refused: { name: 'auth', fault: { kind: 'error', body: fakeMetaErrors.invalidToken }, send: { kind: 'refused', teaches: null }, processed: false },
  none: null,
};
const GAP = 2_000;

/** A history that leaves thread 0 with something to race over: an open window, maybe an opt-in (of any fate), maybe a reply owed, maybe time for a reminder. */
const scenario = fc.record({
  noise: fc.array(fc.oneof(write, reply, personCalls, deliverOwed, smallStep), { maxLength: 4 }),
  first: fc.constantFrom<FirstSend>('accepted', 'ambiguous', 'refused', 'none'),
  answer: fc.constantFrom(null, 'approve' as const, 'reject' as const),
  writesAgain: fc.boolean(),
  wait: fc.constantFrom(0, 61_000, 4 * HOUR),
  ops: fc.constantFrom(...RACES),
}).map((s) => ({
  ops: s.ops,
  history: [
    ...s.noise, new Write(GAP, 0, false), ...(s.first === 'none' ? [] : [new Request(GAP, 0, null, FIRST_SEND[s.first])]),
    ...(s.answer === null ? [] : [new Reply(GAP, 0, s.answer, { kind: 'week' }, 'entry', true)]),
    ...(s.writesAgain ? [new Write(GAP, 0, true)] : []),
    ...(s.wait > 0 ? [new Advance(s.wait)] : []),
  ] as ModelCommand[],
}));

const play = async (m: Model, w: World, commands: readonly ModelCommand[]): Promise<void> => {
  for (const c of commands) if (c.check(m)) await c.run(m, w);
};

const asCommand = (op: RaceOp, gapMs: number): ModelCommand =>
  ({ request: new Request(gapMs, 0, null, null), deliver: new Deliver(gapMs, 0), sweep: new Sweep(gapMs, null), refresh: new Refresh(gapMs, 0, null) })[op];

/** Every thread's decision and every opt-in send Meta recorded for it. */
const outcomeOf = async (w: World) => ({
  decisions: await Promise.all(THREADS.map(async (t) => {
    const { thread: _t, version: _v, ...decision } = await w.permissions.status(t);
    return decision;
  })),
  sends: THREADS.map((t) => w.fake.sends.filter((s) => s.pageId === t.pageId && s.psid === t.psid).map((s) => `${s.outcome}${s.refusal ? `:${s.refusal}` : ''}`)),
});

const permutations = <T>(xs: readonly T[]): T[][] =>
  (xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));

const serialOutcome = async (sut: StoreUnderTest, history: readonly ModelCommand[], order: readonly RaceOp[]) => {
  const w = await openWorld(await sut.open(), 'flat');
  try {
    const m = newModel(w, newTally());
    await play(m, w, history);
    await play(m, w, order.map((op, i) => asCommand(op, i === 0 ? GAP : 0)));
    return await outcomeOf(w);
  } finally {
    await w.close();
  }
};

const concurrentOutcome = async (sut: StoreUnderTest, history: readonly ModelCommand[], ops: readonly RaceOp[], s: fc.Scheduler) => {
  const opened = await sut.open();
  const racing = switchableScheduledStore(opened.store);
  const w = await openWorld({ store: racing.store, dispose: () => opened.dispose() }, 'flat');
  try {
    const m = newModel(w, newTally());
    await play(m, w, history);
    w.clock.advance(GAP);
    const owed = m.pending.find((d) => d.createdAt >= w.clock.now() - HOUR);
    const thread = THREADS[0]!;
    const run = (op: RaceOp): Promise<unknown> => {
      if (op === 'request') return w.permissions.request(thread);
      if (op === 'refresh') return w.permissions.refresh(thread);
      if (op === 'sweep') return w.permissions.sweep();
      const events = owed === undefined ? null : parseWebhook(owed.body);
      return events?.ok === true ? w.permissions.ingest(events.value) : Promise.resolve();
    };
    racing.schedule(s);
    await s.waitFor(Promise.all(ops.map(run)));
    racing.schedule(null);
    expectQuotaHeld(w.fake);
    return await outcomeOf(w);
  } finally {
    await w.close();
  }
};

const RACE_RUNS: Record<string, number> = { memory: 40, sqlite: 25, redis: 15, postgres: 10 };

for (const sut of storesUnderTest()) {
  const reachable = await sut.reachable();
  describe.skipIf(!reachable)(`commands racing on one thread, on ${sut.name}`, () => {
    const tally = { races: 0, orderMatters: 0, scheduled: 0, byOps: {} as Record<string, number> };
    useStoreUnderTest(sut, (ms) => `[races ${sut.name}] ${tally.races} races in ${(ms / 1000).toFixed(1)} s, ${tally.scheduled} store calls released by the scheduler;`
      + ` ${tally.orderMatters} where the serial orders end differently; by commands: ${JSON.stringify(tally.byOps)}`);

    test('end as one of their serial orders (each checked by the model), with the quota held at Meta', async () => {
      const runs = runsFor({ ...sut, runs: RACE_RUNS[sut.name] ?? 10 });
      await fc.assert(fc.asyncProperty(scenario, fc.scheduler(), async ({ history, ops }, s) => {
        const raced = await concurrentOutcome(sut, history, ops, s);
        const serial: Awaited<ReturnType<typeof outcomeOf>>[] = [];
        for (const order of permutations(ops)) serial.push(await serialOutcome(sut, history, order));
        expect(serial, 'the concurrent outcome is a serial one').toContainEqual(raced);
        tally.races += 1;
        tally.scheduled += s.report().length;
        if (serial.some((o) => JSON.stringify(o) !== JSON.stringify(serial[0]))) tally.orderMatters += 1;
        tally.byOps[ops.join('+')] = (tally.byOps[ops.join('+')] ?? 0) + 1;
      }), { numRuns: runs });
    }, process.env.CALLPERM_SOAK === '1' ? 1_800_000 : 180_000);
  });
}

