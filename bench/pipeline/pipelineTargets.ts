import type { PipelineTarget } from '../pipelineBench.js';
import { memoryTarget } from './memoryTarget.js';
import { sqliteTarget } from './sqliteTarget.js';

/**
 * The stores P2 is measured on, in order; a target that cannot run here (server
 * unreachable, driver missing) throws and is reported as skipped.
 *
 * @example
 * for (const t of pipelineTargets) await pipelineBench(o, await t.target());
 */
export const pipelineTargets: readonly { metric: string; target: () => Promise<PipelineTarget> }[] = [
  { metric: 'memory', target: () => Promise.resolve(memoryTarget) },
  { metric: 'sqlite', target: sqliteTarget },
];
