/**
 * Worker of the P5 bench: the product's in-memory webhook pipeline with `threads`
 * threads already stored. Each `round` times fresh deliveries spread over all of
 * them and answers nanoseconds per event.
 */
import { emptyRecord, fastStep, memoryStore, messengerPolicy, resolvePolicy } from '../packages/core/src/internals.js';
import { collectGarbage } from './harness/compareRounds.js';
import { childArgs, serve } from './harness/runChild.js';
import { timed } from './harness/timed.js';
import { productPipeline } from './pipeline/productPipeline.js';
import { clock } from './pipelineBench.js';
import { eventHistories, T0 } from './workload/eventHistories.js';
import { benchThread, deliveries } from './workload/deliveries.js';

const { threads, perRound } = childArgs<{ threads: number; perRound: number }>();
const policy = resolvePolicy(messengerPolicy);
const lived = eventHistories(500, 25, policy, 31).map((h) => h.reduce((r, e) => fastStep(r, e, policy).record, emptyRecord()));
const store = memoryStore();
for (let i = 0; i < threads; i += 1) await store.compareAndSet(benchThread(i), 0, lived[i % lived.length]!);
const pipe = productPipeline(store, clock);
let round = 0;

const runRound = async (): Promise<number> => {
  round += 1;
  const ds = deliveries(perRound, threads, T0 + round * 86_400_000, 100 + round);
  const events = ds.reduce((n, d) => n + d.events, 0);
  collectGarbage();
  const t = await timed(events, async () => {
    for (const d of ds) await pipe.handle(d);
  });
  return (t.seconds * 1e9) / t.units;
};

await runRound(); // warm-up, not answered
await serve(async () => ({ cost: await runRound(), heapMb: Math.round(process.memoryUsage().heapUsed / 1e6) }));
