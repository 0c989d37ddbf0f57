import { randomBytes } from 'node:crypto';
import { redisStore, type RedisStore } from '../../packages/adapters/src/storage/redis.js';
import { redisDriver } from '../baselines/redisDriver.js';
import { deleteRedisKeys } from '../../packages/adapters/src/storage/redis/deleteRedisKeys.js';
import type { PipelineTarget } from '../pipelineBench.js';
import { clock } from '../pipelineBench.js';
import { productPipeline } from './productPipeline.js';

const sweep = (store: RedisStore, pattern: string): Promise<void> => deleteRedisKeys(store.client, pattern);

/**
 * P2 on Redis (REDIS_URL, default 127.0.0.1:6379), 64 deliveries in flight: the
 * product's store (auto-pipelined client, Lua compare-and-set and dedupe) against
 * the raw driver's two pipelines per turn. Every key is removed after each round.
 *
 * @example
 * await pipelineBench(options, await redisTarget('redis://127.0.0.1:6379'));
 */
export const redisTarget = async (url: string): Promise<PipelineTarget> => {
  const probe = await redisStore({ url });
  await probe.client.ping();
  await probe.close();
  const tag = randomBytes(4).toString('hex');
  let round = 0;
  return {
    name: 'redis',
    inFlight: 64,
    deliveries: 8_000,
    notes: ['both sides auto-pipeline the commands of one event-loop turn'],
    product: async () => {
      const prefix = `bench-${tag}-p${(round += 1)}`;
      const store = await redisStore({ url }, { keyPrefix: prefix });
      const pipe = productPipeline(store, clock);
      return {
        handle: (d) => pipe.handle(d),
        read: async (t) => (await store.get(t))?.record ?? null,
        close: async () => {
          await sweep(store, store.keys.pattern);
          await pipe.close();
        },
      };
    },
    raw: async () => {
      const prefix = `bench-${tag}-r${(round += 1)}`;
      const store = await redisStore({ url }, { keyPrefix: prefix }); // only for its client
      const driver = await redisDriver(store.client, prefix);
      return {
        ...driver,
        close: async () => {
          await sweep(store, `{${prefix}*`);
          await store.close();
        },
      };
    },
  };
};
