import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore } from '@callperm/core';
import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { postgresStore } from '@callperm/adapters/storage/postgres';
import { redisStore } from '@callperm/adapters/storage/redis';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { deleteRedisKeys } from '../../src/storage/redis/deleteRedisKeys.js';
import {
  DATABASE_URL, REDIS_URL, STALE_NAMESPACE_MS, namespaceCreatedAt, removeStalePostgresSchemas, removeStaleRedisKeys, runTag, serverReachable,
} from '../storage/servers.js';
import type { OpenedStore } from './modelWorld.js';

/** Every namespace these suites create starts with this (Redis key prefixes, PostgreSQL schemas, temp dirs). */
export const MODEL_PREFIX = 'cpmodel';

/**
 * One store the model suites run over: a fresh, empty store per fast-check run
 * (a sweep must see only its own run's threads), removed after the run; what a
 * killed run left behind is removed when a suite starts.
 */
export interface StoreUnderTest {
  readonly name: string;
  /** Runs per property at 1x (CALLPERM_SOAK=1 multiplies by 10). */
  readonly runs: number;
  /** Whether the server answers (under CI an unreachable server fails instead, see serverReachable). */
  reachable(): Promise<boolean>;
  setUp(): Promise<void>;
  open(): Promise<OpenedStore>;
  tearDown(): Promise<void>;
}

const tag = runTag();
let opened = 0;
const next = (): number => (opened += 1);

const memory: StoreUnderTest = {
  name: 'memory', runs: 100,
  reachable: () => Promise.resolve(true),
  setUp: () => Promise.resolve(),
  open: () => {
    const store = memoryStore();
    return Promise.resolve({ store, dispose: () => store.close() });
  },
  tearDown: () => Promise.resolve(),
};

/** Removes the SQLite temp dirs (`cpmodel_<runTag>-…`) a killed run left, older than an hour like the other namespaces. */
const removeStaleTempDirs = (): void => {
  for (const name of readdirSync(tmpdir())) {
    const createdAt = namespaceCreatedAt(MODEL_PREFIX, name);
    if (createdAt !== null && createdAt < Date.now() - STALE_NAMESPACE_MS) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
};

const sqlite = (): StoreUnderTest => {
  let dir = '';
  return {
    name: 'sqlite', runs: 60,
    reachable: () => Promise.resolve(true),
    setUp: () => {
      removeStaleTempDirs();
      dir = mkdtempSync(join(tmpdir(), `${MODEL_PREFIX}_${tag}-sqlite-`));
      return Promise.resolve();
    },
    open: async () => {
      const filename = join(dir, `run-${next()}.sqlite`);
      const store = await sqliteStore({ filename });
      return {
        store,
        dispose: async () => {
          await store.close();
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${filename}${suffix}`, { force: true });
        },
      };
    },
    tearDown: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
};

const redis = (): StoreUnderTest => {
  let client: Redis | undefined;
  return {
    name: 'redis', runs: 50,
    reachable: () => serverReachable('redis'),
    setUp: async () => {
      await removeStaleRedisKeys(MODEL_PREFIX);
      client = new Redis(REDIS_URL);
    },
    open: async () => {
      const c = client!;
      const store = await redisStore({ client: c }, { keyPrefix: `${MODEL_PREFIX}:${tag}:${next()}` });
      return {
        store,
        dispose: async () => {
          await store.close();
          await deleteRedisKeys(c, store.keys.pattern);
        },
      };
    },
    tearDown: async () => {
      await client?.quit();
    },
  };
};

const postgres = (): StoreUnderTest => {
  let pool: pg.Pool | undefined;
  return {
    name: 'postgres', runs: 30,
    reachable: () => serverReachable('postgres'),
    setUp: async () => {
      await removeStalePostgresSchemas(MODEL_PREFIX);
      pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
    },
    open: async () => {
      const p = pool!;
      const schema = `${MODEL_PREFIX}_${tag}_${next()}`;
      const store = await postgresStore({ pool: p }, { schema });
      return {
        store,
        dispose: async () => {
          await store.close();
          await p.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
    tearDown: async () => {
      // Whatever a failed dispose left of this suite's own schemas.
      const { rows } = await pool!.query<{ s: string }>("SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1 || '\\_%'", [`${MODEL_PREFIX}_${tag}`]);
      for (const { s } of rows) await pool!.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await pool?.end();
    },
  };
};

/** The four stores, in the order the suites run them. */
export const storesUnderTest = (): StoreUnderTest[] => [memory, sqlite(), redis(), postgres()];

/** CALLPERM_SOAK=1 runs every property 10x as many times; FC_NUM_RUNS, when set, wins. */
export const runsFor = (store: StoreUnderTest): number => {
  const forced = Number(process.env.FC_NUM_RUNS ?? '');
  if (Number.isInteger(forced) && forced > 0) return forced;
  return store.runs * (process.env.CALLPERM_SOAK === '1' ? 10 : 1);
};

/**
 * Sets the store up before a suite's tests and tears it down after, then prints
 * `report(ms)`: the suite's figures and how long it took.
 *
 * @example
 * describe('on sqlite', () => { useStoreUnderTest(sut, (ms) => `${runs} runs in ${ms} ms`); ... });
 */
export const useStoreUnderTest = (sut: StoreUnderTest, report: (ms: number) => string): void => {
  let started = 0;
  beforeAll(async () => {
    started = Date.now();
    await sut.setUp();
  });
  afterAll(async () => {
    await sut.tearDown();
    console.info(report(Date.now() - started));
  });
};
