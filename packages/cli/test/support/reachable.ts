/** The Redis the tests use: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The PostgreSQL the tests use: `DATABASE_URL`, else the local default. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const probe = async (server: 'redis' | 'postgres'): Promise<void> => {
  if (server === 'redis') {
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
    return;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Whether a test server answers. Under `CI` an unreachable server fails the run;
 * elsewhere the suites that need it skip with one line naming the variable to set.
 */
export const serverReachable = async (server: 'redis' | 'postgres'): Promise<boolean> => {
  const variable = server === 'redis' ? `REDIS_URL=${REDIS_URL}` : `DATABASE_URL=${DATABASE_URL}`;
  try {
    await probe(server);
    return true;
  } catch (e) {
    if (process.env.CI) throw new Error(`${server} is unreachable at ${variable} (CI requires it)`, { cause: e });
    console.warn(`[callperm cli tests] skipping the ${server} suites: nothing answers at ${variable}; set it to run them.`);
    return false;
  }
};
