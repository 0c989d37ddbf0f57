import { existsSync, readFileSync } from 'node:fs';
import { DATABASE_URL, REDIS_URL } from '../../support/reachable.js';

const cell = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString('latin1') : v);
const row = (r: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)]));

/** What a dump found: the raw text to scan, and how many rows or keys it read (a scan of nothing proves nothing). */
export interface StoreDump {
  readonly text: string;
  readonly rows: number;
}

/** Every table of every PostgreSQL schema starting with `prefix`, row by row: records, documents, dedupe ids, history. */
export const dumpPostgres = async (prefix: string): Promise<StoreDump> => {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_schema: string; table_name: string }>(
      'SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE $1', [`${prefix}%`],
    );
    const out: unknown[] = [];
    let rows = 0;
    for (const t of tables.rows) {
      const found = await client.query<Record<string, unknown>>(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`);
      rows += found.rows.length;
      out.push({ table: `${t.table_schema}.${t.table_name}`, rows: found.rows.map(row) });
    }
    return { text: JSON.stringify(out), rows };
  } finally {
    await client.end();
  }
};

/** Every Redis key whose name holds `prefix`, with its value whatever its type (hash, sorted set, string...). */
export const dumpRedis = async (prefix: string): Promise<StoreDump> => {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `*${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch);
    const out: unknown[] = [];
    for (const key of keys) {
      const type = await client.type(key);
      const value = type === 'hash' ? await client.hgetallBuffer(key)
        : type === 'zset' ? await client.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'set' ? await client.smembers(key)
            : type === 'list' ? await client.lrange(key, 0, -1)
              : type === 'string' ? (await client.getBuffer(key))?.toString('latin1') : type;
      out.push({ key, type, value: value !== null && typeof value === 'object' && !Array.isArray(value) ? row(value) : value });
    }
    return { text: JSON.stringify(out), rows: keys.length };
  } finally {
    client.disconnect();
  }
};

/**
 * Every table of a SQLite file row by row, and the raw bytes of the file and its
 * WAL and shared-memory files (freed pages and uncheckpointed writes included).
 */
export const dumpSqlite = async (filename: string): Promise<StoreDump> => {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(filename, { readonly: true, fileMustExist: true });
  const out: unknown[] = [];
  let rows = 0;
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      const found = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      rows += found.length;
      out.push({ table: name, rows: found.map(row) });
    }
  } finally {
    db.close();
  }
  const raw = ['', '-wal', '-shm'].map((suffix) => `${filename}${suffix}`).filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
  return { text: [JSON.stringify(out), ...raw].join('\n'), rows };
};
