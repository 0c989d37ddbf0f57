import { fc } from '@fast-check/vitest';
import { describe, test } from 'vitest';
import { permissionCheckVariants } from '@callperm/testing';
import { modelCommands } from './modelCommands.js';
import { newModel, newTally, openWorld, type SuiteTally } from './modelWorld.js';
import { runsFor, storesUnderTest, useStoreUnderTest } from './storesUnderTest.js';

/**
 * The real service (createCallPermissions over each store, the got Graph client,
 * the fake Meta on loopback, one virtual clock) driven by random command
 * sequences — the person writing, answering, calling; webhooks delivered late,
 * twice, reordered or lost; requests, refreshes and sweeps meeting every Graph
 * failure class; small and large steps of time — and held, after every command,
 * against the reference model (`referenceModel.ts`) and the quota as Meta counted it.
 * A failure prints fast-check's seed and path (FC_SEED replays it) and the commands.
 */
const soak = process.env.CALLPERM_SOAK === '1';

const summary = (name: string, t: SuiteTally, ms: number): string => {
  const requests = Object.entries(t.requests).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ');
  const faults = Object.entries(t.faults).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ');
  return `[model ${name}] ${t.runs} runs, ${t.commands} commands in ${(ms / 1000).toFixed(1)} s: ${t.comparisons} decisions compared`
    + ` (${t.unsure} left unjudged), ${t.sends} sends (${t.accepted} accepted by Meta), ${t.checks} checks, ${t.sweepChecks} sweep checks,`
    + ` ${t.deliveries} deliveries, ${t.duplicates} redeliveries, ${t.dropped} lost, ${t.grants} implicit grants; requests: ${requests}; faults: ${faults}`;
};

for (const sut of storesUnderTest()) {
  const reachable = await sut.reachable();
  describe.skipIf(!reachable)(`the service against the reference model, on ${sut.name}`, () => {
    const tally = newTally();
    useStoreUnderTest(sut, (ms) => summary(sut.name, tally, ms));

    test('after every command each thread decides as the model says, and the quota holds at Meta', async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(modelCommands, { maxCommands: soak ? 100 : 50, size: 'max' }), fc.constantFrom(...permissionCheckVariants), async (commands, variant) => {
          const world = await openWorld(await sut.open(), variant);
          tally.runs += 1;
          try {
            await fc.asyncModelRun(() => ({ model: newModel(world, tally), real: world }), commands);
          } finally {
            await world.close();
          }
        }),
        { numRuns: runsFor(sut) },
      );
    }, soak ? 1_800_000 : 180_000);
  });
}
