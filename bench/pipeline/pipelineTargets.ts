import type { PipelineTarget } from '../pipelineBench.js';
import { memoryTarget } from './memoryTarget.js';
import { postgresTarget } from './postgresTarget.js';
import { redisTarget } from './redisTarget.js';
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
  { metric: 'redis', target: () => redisTarget(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') },
  { metric: 'postgres', target: () => postgresTarget(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test') },
];
