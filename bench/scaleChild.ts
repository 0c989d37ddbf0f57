/**
 * Child process of the P5 bench: the product's in-memory webhook pipeline with
 * `threads` threads already stored, timing fresh deliveries spread over all of
 * them; prints nanoseconds per event for each round.
 */
import { emptyRecord, fastStep, memoryStore, messengerPolicy, resolvePolicy } from '../packages/core/src/index.js';
import { collectGarbage } from './harness/compareRounds.js';
import { answer, childArgs } from './harness/runChild.js';
import { timed } from './harness/timed.js';
import { productPipeline } from './pipeline/productPipeline.js';
import { clock } from './pipelineBench.js';
import { eventHistories, T0 } from './workload/eventHistories.js';
import { benchThread, deliveries } from './workload/deliveries.js';

const { threads, perRound, rounds } = childArgs<{ threads: number; perRound: number; rounds: number }>();
const policy = resolvePolicy(messengerPolicy);
const lived = eventHistories(500, 25, policy, 31).map((h) => h.reduce((r, e) => fastStep(r, e, policy).record, emptyRecord()));
const store = memoryStore();
for (let i = 0; i < threads; i += 1) await store.compareAndSet(benchThread(i), 0, lived[i % lived.length]!);
const pipe = productPipeline(store, clock);

const costs: number[] = [];
for (let r = -1; r < rounds; r += 1) {
  const ds = deliveries(perRound, threads, T0 + (r + 2) * 86_400_000, 100 + r);
  const events = ds.reduce((n, d) => n + d.events, 0);
  collectGarbage();
  const t = await timed(events, async () => {
    for (const d of ds) await pipe.handle(d);
  });
  if (r >= 0) costs.push((t.seconds * 1e9) / t.units); // round -1 warms up
}
answer({ threads, costs, heapMb: Math.round(process.memoryUsage().heapUsed / 1e6) });
