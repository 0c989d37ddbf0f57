/**
 * `pnpm bench:store`: compare-and-set throughput of each storage driver next to
 * the raw driver doing the same write on the same connection, in the same run
 * (SQLite conditional upsert, Redis EVALSHA, PostgreSQL upsert), so the ratio is
 * the store's own cost (JSON, checks, the async edge) and not the machine's mood.
 *
 * Env: REDIS_URL, DATABASE_URL (as the tests), BENCH_ROUNDS (default 5),
 * BENCH_SCALE (multiplies the ops per round, default 1). An unreachable server
 * is skipped with one line. Everything the bench writes is removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emptyRecord, type PermissionRecord, type PermissionStore } from '../packages/core/src/internals.js';
import { memoryStore } from '../packages/adapters/src/storage/memory.js';
import { postgresStore } from '../packages/adapters/src/storage/postgres.js';
import { redisStore } from '../packages/adapters/src/storage/redis.js';
import { sqliteStore } from '../packages/adapters/src/storage/sqlite.js';
import { deleteRedisKeys } from '../packages/adapters/src/storage/redis/deleteRedisKeys.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const tag = randomBytes(4).toString('hex');
const THREADS_PER_WORKER = 200;

/** A realistic record (~450 bytes of JSON): a pending request, a remote view, evidence. */
const record: PermissionRecord = {
  ...emptyRecord(),
  state: 'requested',
  evidence: { at: 1_767_225_600_000, rank: 4, weight: Number.MAX_SAFE_INTEGER },
  requests: [1_767_225_600_000, 1_767_229_200_000],
  pending: { at: 1_767_229_200_000, messageId: 'm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', ambiguous: false, prior: 'none', reminds: null },
  lastInboundAt: 1_767_225_000_000,
  remote: {
    at: 1_767_229_000_000, permitted: false, canRequest: true, canStartCall: false,
    requestLimits: [{ periodMs: 86_400_000, max: 2, used: 1, freesAt: null }],
    startCallLimits: [{ periodMs: 86_400_000, max: 100, used: 3, freesAt: null }],
  },
  lastEventAt: 1_767_229_200_000,
  dueAt: 1_767_229_260_000,
};
const json = JSON.stringify(record);

/** One compare-and-set on thread `i` of its worker, expecting `version`; resolves to whether it won. */
type CasOp = (worker: number, thread: number, version: number) => Promise<boolean> | boolean;

interface Case {
  readonly driver: string;
  readonly inFlight: number;
  readonly opsPerRound: number;
  readonly store: CasOp;
  readonly raw: CasOp;
  readonly rawLabel: string;
}

/** Runs `ops` compare-and-sets over `inFlight` workers, each on its own threads (no conflicts); returns ops/s. */
const round = async (op: CasOp, ops: number, inFlight: number, versions: number[][]): Promise<number> => {
  let next = 0;
  let lost = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async (_, w) => {
    const mine = (versions[w] ??= new Array<number>(THREADS_PER_WORKER).fill(0));
    for (let k = 0; next < ops; k += 1) {
      next += 1;
      const t = k % THREADS_PER_WORKER;
      const v = mine[t] ?? 0;
      if (await op(w, t, v)) mine[t] = v + 1;
      else lost += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  if (lost > 0) throw new Error(`${lost} compare-and-sets failed without a competing writer: the bench or the driver is wrong`);
  return ops / seconds;
};

const stats = (xs: readonly number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s[Math.floor(s.length / 2)] ?? NaN, max: s[s.length - 1] ?? NaN };
};

const storeOp = (store: PermissionStore, scope: string): CasOp => async (w, t, v) =>
  (await store.compareAndSet({ pageId: `${scope}${w}`, psid: String(1000 + t) }, v, record)).ok;

const cases: Case[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

// memory: no raw driver under it; its "raw" is a Map doing the same check-and-set.
{
  const store = memoryStore();
  const rows = new Map<string, { version: number; json: string }>();
  cases.push({
    driver: 'memory', inFlight: 1, opsPerRound: 100_000 * SCALE, store: storeOp(store, 'm'), rawLabel: 'Map check-and-set',
    raw: (w, t, v) => {
      const key = `${w}:${t}`;
      if ((rows.get(key)?.version ?? 0) !== v) return false;
      rows.set(key, { version: v + 1, json: JSON.stringify(record) });
      return true;
    },
  });
  cleanups.push(() => store.close());
}

// sqlite: the raw baseline is the conditional upsert on the store's own connection, into a table with the
// same key and due index, so the ratio is the store's own cost (JSON, checks, the promise), not SQLite's.
{
  const dir = mkdtempSync(join(tmpdir(), 'callperm-bench-'));
  const store = await sqliteStore({ filename: join(dir, 'bench.sqlite') });
  const db = store.database;
  db.exec(`CREATE TABLE bench_raw (page_id TEXT NOT NULL, psid TEXT NOT NULL, version INTEGER NOT NULL,
    record TEXT NOT NULL, due_at INTEGER, PRIMARY KEY (page_id, psid)) WITHOUT ROWID;
    CREATE INDEX bench_raw_due ON bench_raw (due_at) WHERE due_at IS NOT NULL`);
  const upsert = db.prepare(`INSERT INTO bench_raw (page_id, psid, version, record, due_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (page_id, psid) DO UPDATE SET version = excluded.version, record = excluded.record,
    due_at = excluded.due_at WHERE bench_raw.version = ?`);
  cases.push({
    driver: 'sqlite', inFlight: 1, opsPerRound: 20_000 * SCALE, store: storeOp(store, 's'), rawLabel: 'conditional upsert',
    raw: (w, t, v) => upsert.run(`s${w}`, String(1000 + t), v + 1, json, record.dueAt, v).changes === 1,
  });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

// redis: the raw baseline is EVALSHA of a bare check-and-set script on the store's own client.
try {
  const store = await redisStore({ url: REDIS_URL }, { keyPrefix: `bench-${tag}` });
  await store.client.ping();
  const script = `local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
    if v ~= tonumber(ARGV[1]) then return 0 end
    redis.call('HSET', KEYS[1], 'v', v + 1, 'r', ARGV[2]) redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) return v + 1`;
  const sha = String(await store.client.script('LOAD', script));
  const rawKey = (w: number, t: number): string => `{bench-${tag}-raw:${w}:${t}}`;
  const rawDue = `{bench-${tag}-raw}:due`;
  for (const inFlight of [1, 32]) {
    cases.push({
      driver: 'redis', inFlight, opsPerRound: (inFlight === 1 ? 5_000 : 20_000) * SCALE,
      store: storeOp(store, `r${inFlight}-`), rawLabel: 'EVALSHA check-and-set',
      raw: async (w, t, v) => Number(await store.client.evalsha(sha, 2, rawKey(w + 100 * inFlight, t), rawDue,
        v, json, String(record.dueAt), `${w}:${t}`)) > 0,
    });
  }
  cleanups.push(async () => {
    for (const pattern of [store.keys.pattern, `{bench-${tag}-raw[:}]*`]) await deleteRedisKeys(store.client, pattern);
    await store.close();
  });
} catch (e) {
  console.log(`redis skipped: nothing usable at REDIS_URL=${REDIS_URL} (${e instanceof Error ? e.message : String(e)})`);
}

// postgres: the raw baseline is the plain conditional upsert on the store's own pool.
try {
  const schema = `bench_${tag}`;
  const store = await postgresStore({ connectionString: DATABASE_URL, poolSize: 16 }, { schema });
  await store.pool.query(`CREATE TABLE "${schema}".bench_raw (page_id text NOT NULL, psid text NOT NULL,
    version integer NOT NULL, record text NOT NULL, due_at bigint, PRIMARY KEY (page_id, psid));
    CREATE INDEX bench_raw_due ON "${schema}".bench_raw (due_at) WHERE due_at IS NOT NULL`);
  const upsert = {
    name: `bench_raw_${tag}`,
    text: `INSERT INTO "${schema}".bench_raw AS t (page_id, psid, version, record, due_at) VALUES ($1, $2, $3 + 1, $4, $5)
      ON CONFLICT (page_id, psid) DO UPDATE SET version = EXCLUDED.version, record = EXCLUDED.record,
      due_at = EXCLUDED.due_at WHERE t.version = $3 RETURNING version`,
  };
  for (const inFlight of [1, 16]) {
    cases.push({
      driver: 'postgres', inFlight, opsPerRound: (inFlight === 1 ? 2_000 : 8_000) * SCALE,
      store: storeOp(store, `p${inFlight}-`), rawLabel: 'upsert ... WHERE version = $n',
      raw: async (w, t, v) => (await store.pool.query({
        ...upsert, values: [`p${inFlight}-${w}`, String(1000 + t), v, json, record.dueAt],
      })).rowCount === 1,
    });
  }
  cleanups.push(async () => {
    await store.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await store.close();
  });
} catch (e) {
  console.log(`postgres skipped: nothing usable at DATABASE_URL=${DATABASE_URL} (${e instanceof Error ? e.message : String(e)})`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rows: string[][] = [];
try {
  for (const c of cases) {
    const storeVersions: number[][] = [];
    const rawVersions: number[][] = [];
    const storeRuns: number[] = [];
    const rawRuns: number[] = [];
    await round(c.store, Math.min(1000, c.opsPerRound), c.inFlight, storeVersions); // warm-up
    await round(c.raw, Math.min(1000, c.opsPerRound), c.inFlight, rawVersions);
    for (let r = 0; r < ROUNDS; r += 1) {
      // Alternate which goes first so drift (caches, autovacuum, WAL checkpoints) hits both alike.
      if (r % 2 === 0) {
        storeRuns.push(await round(c.store, c.opsPerRound, c.inFlight, storeVersions));
        rawRuns.push(await round(c.raw, c.opsPerRound, c.inFlight, rawVersions));
      } else {
        rawRuns.push(await round(c.raw, c.opsPerRound, c.inFlight, rawVersions));
        storeRuns.push(await round(c.store, c.opsPerRound, c.inFlight, storeVersions));
      }
    }
    const s = stats(storeRuns);
    const raw = stats(rawRuns);
    rows.push([c.driver, String(c.inFlight), fmt(s.median), `${fmt(s.min)}–${fmt(s.max)}`, c.rawLabel,
      fmt(raw.median), `${fmt(raw.min)}–${fmt(raw.max)}`, `${(s.median / raw.median).toFixed(2)}`]);
    process.stderr.write(`done: ${c.driver} x${c.inFlight}\n`);
  }
} finally {
  for (const clean of cleanups) await clean();
}

const header = ['driver', 'in flight', 'store CAS/s (median)', 'min–max', 'raw baseline', 'raw/s (median)', 'min–max', 'store/raw'];
console.log(`\ncompare-and-set, ${ROUNDS} rounds each, Node ${process.version}\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
