/**
 * Child process of the P4 memory bench (run by heapBench.ts with --expose-gc):
 * the memory (JS heap + array buffers) one idle thread costs in `memoryStore`, and in a plain-record baseline
 * (a Map from the thread key to a decoded record object, which is what a store
 * that keeps records as objects holds), measured alternately in one process.
 */
import {
  emptyRecord, fastStep, memoryStore, messengerPolicy, resolvePolicy, type PermissionRecord,
} from '../packages/core/src/internals.js';
import { answer, childArgs } from './harness/runChild.js';
import { eventHistories } from './workload/eventHistories.js';

const { threads, rounds } = childArgs<{ threads: number; rounds: number }>();
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** JS heap plus array buffers (the memory store's slabs live there): everything a thread costs. */
const settled = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const policy = resolvePolicy(messengerPolicy);
// 2 000 distinct histories, reused round-robin: idle threads at every stage of their life.
const finals: PermissionRecord[] = eventHistories(2000, 25, policy, 23).map((h) => h.reduce((r, e) => fastStep(r, e, policy).record, emptyRecord()));
const pageIds = Array.from({ length: 100 }, (_, i) => String(100_000_000_000_000 + i * 7919));
const psids = Array.from({ length: threads }, (_, i) => String(7_000_000_000_000_000 + i * 104_729));
const threadAt = (i: number) => ({ pageId: pageIds[i % pageIds.length]!, psid: psids[i]! });
const jsonOf = finals.map((r) => JSON.stringify(r));

const measureStore = async (): Promise<number> => {
  const before = settled();
  const store = memoryStore();
  for (let i = 0; i < threads; i += 1) await store.compareAndSet(threadAt(i), 0, finals[i % finals.length]!);
  const after = settled();
  if (store.size() !== threads) throw new Error('store lost threads');
  await store.close();
  return (after - before) / threads;
};

const measurePlain = (): number => {
  const before = settled();
  const map = new Map<string, PermissionRecord>();
  for (let i = 0; i < threads; i += 1) {
    const t = threadAt(i);
    map.set(`${t.pageId}:${t.psid}`, JSON.parse(jsonOf[i % jsonOf.length]!) as PermissionRecord);
  }
  const after = settled();
  if (map.size !== threads) throw new Error('baseline lost threads');
  map.clear();
  return (after - before) / threads;
};

const store: number[] = [];
const plain: number[] = [];
for (let r = 0; r < rounds; r += 1) {
  if (r % 2 === 0) {
    store.push(await measureStore());
    plain.push(measurePlain());
  } else {
    plain.push(measurePlain());
    store.push(await measureStore());
  }
}
answer({ store, plain });
