import { randomBytes } from 'node:crypto';

/** The Redis the tests use: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The PostgreSQL the tests use: `DATABASE_URL`, else the local default. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * The Redis Cluster the tests use (3 masters, as `.ci/redis-cluster.sh` starts them):
 * `REDIS_CLUSTER_NODES` (`host:port,host:port,...`), else that script's default ports.
 */
export const REDIS_CLUSTER_NODES: readonly { readonly host: string; readonly port: number }[] =
  (process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7391,127.0.0.1:7392,127.0.0.1:7393').split(',').map((node) => {
    const at = node.lastIndexOf(':');
    return { host: node.slice(0, at).trim(), port: Number(node.slice(at + 1)) };
  });
/** The same nodes as a `callperm serve --store` value (`redis-cluster://host:port,...`). */
export const REDIS_CLUSTER_URL = `redis-cluster://${REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',')}`;

/**
 * A tag for this test run's key prefixes and schemas, so runs never see each other's
 * data: `<creation time, epoch seconds in base 36>_<8 random hex>`. The time lets a
 * later run tell a killed run's leftovers from a live run's data (see
 * {@link removeStalePostgresSchemas} and {@link removeStaleRedisKeys}).
 *
 * @example
 * const schema = `cptest_${runTag()}`; // 'cptest_tbx7k2_9f3a01c2'
 */
export const runTag = (now: number = Date.now()): string => `${Math.floor(now / 1000).toString(36)}_${randomBytes(4).toString('hex')}`;

/** How old a namespace must be before a suite's start removes it as the leftover of a killed run. */
export const STALE_NAMESPACE_MS = 3_600_000;

/**
 * When the namespace `name` of a suite's `prefix` was created (epoch ms), or null
 * when `name` is not `<prefix><_ : or -><runTag>` (anything may follow the tag
 * after a non-alphanumeric character, e.g. a `_3` store counter or a Redis `:key`).
 *
 * @example
 * namespaceCreatedAt('cptest', `cptest_${runTag(0)}_4`); // 0
 * namespaceCreatedAt('cptest', 'cptestx_tbx7k2_9f3a01c2'); // null
 */
export const namespaceCreatedAt = (prefix: string, name: string): number | null => {
  if (!name.startsWith(prefix)) return null;
  const tag = /^[_:-]([0-9a-z]{6})_[0-9a-f]{8}(?![0-9a-z])/.exec(name.slice(prefix.length));
  return tag === null ? null : Number.parseInt(tag[1]!, 36) * 1000;
};

/** Which namespaces {@link removeStalePostgresSchemas} and {@link removeStaleRedisKeys} remove. */
export interface StaleOptions {
  /** Now, epoch ms (default `Date.now()`). */
  readonly now?: number;
  /** Remove namespaces created longer ago than this (default {@link STALE_NAMESPACE_MS}). */
  readonly olderThanMs?: number;
}

const isStale = (prefix: string, name: string, options: StaleOptions): boolean => {
  const createdAt = namespaceCreatedAt(prefix, name);
  return createdAt !== null && createdAt < (options.now ?? Date.now()) - (options.olderThanMs ?? STALE_NAMESPACE_MS);
};

/** `prefix` for a LIKE or a SCAN MATCH: only letters, digits, `_` and `-` are allowed, so nothing needs escaping but `_` in LIKE. */
const checkedPrefix = (prefix: string): string => {
  if (!/^[a-z][a-z0-9_-]*$/i.test(prefix)) throw new RangeError(`namespace prefix ${JSON.stringify(prefix)} must be letters, digits, _ or -`);
  return prefix;
};

/**
 * Drops (CASCADE) every PostgreSQL schema of `prefix` whose name says it is older
 * than an hour: what a killed run left. Call it at the start of every suite that
 * creates schemas; a live run's schemas are younger and stay. Returns the dropped names.
 *
 * @example
 * beforeAll(() => removeStalePostgresSchemas('cptest'));
 */
export const removeStalePostgresSchemas = async (prefix: string, options: StaleOptions = {}): Promise<string[]> => {
  const like = `${checkedPrefix(prefix).replaceAll('_', '\\_')}\\_%`;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1', [like]);
    const stale = rows.map((r) => r.name).filter((name) => isStale(prefix, name, options));
    for (const name of stale) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    return stale;
  } finally {
    await client.end();
  }
};

/** The part of ioredis both a `Redis` and a `Cluster` client offer that {@link removeStaleRedisKeys} uses. */
interface ScanningClient {
  readonly isCluster: boolean;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  unlink(key: string): Promise<number>;
  nodes?(role: 'master'): ScanningClient[];
}

/** Unlinks the stale keys one node holds, one key per command (a cluster refuses keys of several slots in one). */
const unlinkStaleOn = async (node: ScanningClient, prefix: string, options: StaleOptions): Promise<number> => {
  let removed = 0;
  for (const pattern of [`{${prefix}[-_:]*`, `${prefix}[-_:]*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      const stale = keys.filter((key) => isStale(prefix, key.startsWith('{') ? key.slice(1) : key, options));
      removed += (await Promise.all(stale.map((key) => node.unlink(key)))).reduce((a, b) => a + b, 0);
      cursor = next;
    } while (cursor !== '0');
  }
  return removed;
};

/**
 * Unlinks every Redis key of a key prefix of `prefix` (`{<prefix>_<runTag>...`, a
 * store's keys, or `<prefix>_<runTag>...`) whose tag says it is older than an hour:
 * what a killed run left. SCAN + UNLINK, never KEYS; on a `Cluster` client every
 * master is scanned. Call it at the start of every suite that writes keys. Returns
 * how many keys went.
 *
 * @example
 * beforeAll(() => removeStaleRedisKeys('cptest'));
 */
export const removeStaleRedisKeys = async (
  prefix: string, options: StaleOptions & { readonly client?: ScanningClient } = {},
): Promise<number> => {
  checkedPrefix(prefix);
  if (options.client !== undefined) {
    const nodes = options.client.isCluster ? options.client.nodes?.('master') ?? [] : [options.client];
    return (await Promise.all(nodes.map((node) => unlinkStaleOn(node, prefix, options)))).reduce((a, b) => a + b, 0);
  }
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await unlinkStaleOn(client, prefix, options);
  } finally {
    client.disconnect();
  }
};

const probes = {
  async redis(): Promise<void> {
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL, {
      lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  },
  async cluster(): Promise<void> {
    const { Cluster } = await import('ioredis');
    const client = new Cluster([...REDIS_CLUSTER_NODES], {
      lazyConnect: true, enableOfflineQueue: false, clusterRetryStrategy: () => null,
      redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 0 },
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const info = String(await client.cluster('INFO'));
      if (!/^cluster_state:ok\r?$/m.test(info)) throw new Error(`the cluster is not ok: ${info.split(/\r?\n/, 1)[0] ?? ''}`);
    } finally {
      client.disconnect();
    }
  },
  async postgres(): Promise<void> {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};

/** What a skip line tells to set (or run) for each server. */
const howToReach = {
  redis: () => `REDIS_URL=${REDIS_URL}`,
  postgres: () => `DATABASE_URL=${DATABASE_URL}`,
  cluster: () => `REDIS_CLUSTER_NODES=${REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',')} (start one there with bash .ci/redis-cluster.sh)`,
} as const;

/**
 * Whether a test server answers (`cluster`: the Redis Cluster at
 * `REDIS_CLUSTER_NODES`, in state ok). Under `CI` an unreachable server fails the
 * run (throws); elsewhere the suites that need it skip, with one line saying which
 * variable to set.
 */
export const serverReachable = async (server: 'redis' | 'postgres' | 'cluster'): Promise<boolean> => {
  const variable = howToReach[server]();
  try {
    await probes[server]();
    return true;
  } catch (e) {
    if (process.env.CI) throw new Error(`${server} is unreachable at ${variable} (CI requires it)`, { cause: e });
    console.warn(`[callperm tests] skipping the ${server} suites: nothing answers at ${variable}; set it to run them.`);
    return false;
  }
};
