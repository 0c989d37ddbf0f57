import { randomBytes } from 'node:crypto';
import { postgresStore } from '../../packages/adapters/src/storage/postgres.js';
import { postgresDriver } from '../baselines/postgresDriver.js';
import type { PipelineTarget } from '../pipelineBench.js';
import { clock } from '../pipelineBench.js';
import { productPipeline } from './productPipeline.js';

/**
 * P2 on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
 * pools of 16, 64 deliveries in flight; each round gets its own schema, dropped after.
 *
 * @example
 * await pipelineBench(options, await postgresTarget(url));
 */
export const postgresTarget = async (url: string): Promise<PipelineTarget> => {
  const tag = randomBytes(4).toString('hex');
  const probe = await postgresStore({ connectionString: url, poolSize: 1 }, { schema: `bench_${tag}_probe` });
  await probe.pool.query(`DROP SCHEMA "bench_${tag}_probe" CASCADE`);
  await probe.close();
  let round = 0;
  return {
    name: 'postgres',
    inFlight: 64,
    deliveries: 4_000,
    notes: ['pools of 16 connections; the raw driver makes each turn one set-based transaction'],
    product: async () => {
      const schema = `bench_${tag}_p${(round += 1)}`;
      const store = await postgresStore({ connectionString: url, poolSize: 16 }, { schema });
      const pipe = productPipeline(store, clock);
      return {
        handle: (d) => pipe.handle(d),
        read: async (t) => (await store.get(t))?.record ?? null,
        close: async () => {
          await store.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          await pipe.close();
        },
      };
    },
    raw: async () => {
      const schema = `bench_${tag}_r${(round += 1)}`;
      const store = await postgresStore({ connectionString: url, poolSize: 16 }, { schema }); // for its pool
      const driver = await postgresDriver(store.pool, schema);
      return {
        ...driver,
        close: async () => {
          await store.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          await store.close();
        },
      };
    },
  };
};
