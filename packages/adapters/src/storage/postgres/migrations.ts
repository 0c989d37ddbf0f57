import type { Pool, PoolClient } from 'pg';
import { SchemaVersionError } from '../shared/SchemaVersionError.js';
import type { PostgresTables } from './postgresTables.js';

/**
 * One entry per schema version, applied in order inside one transaction; entry
 * `i` brings the schema from version `i` to `i + 1`, recorded in the migrations
 * table. Never edit a released entry: append a new one.
 */
export const POSTGRES_MIGRATIONS: readonly ((t: PostgresTables) => string)[] = [
  (t) => `
    CREATE TABLE ${t.threads} (
      page_id    text    NOT NULL,
      psid       text    NOT NULL,
      version    integer NOT NULL CHECK (version >= 1),
      record     text    NOT NULL,
      due_at     bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (page_id, psid)
    );
    CREATE INDEX callperm_threads_due ON ${t.threads} (due_at) WHERE due_at IS NOT NULL;
    CREATE TABLE ${t.dedupe} (
      event_id text   PRIMARY KEY,
      until    bigint NOT NULL
    );
    CREATE INDEX callperm_dedupe_until ON ${t.dedupe} (until);`,
  // 2: side documents (call traces, the webhook inbox), apart from thread records.
  (t) => `
    CREATE TABLE ${t.docs} (
      kind       text    NOT NULL,
      key        text    NOT NULL,
      version    integer NOT NULL CHECK (version >= 1),
      value      text    NOT NULL,
      due_at     bigint,
      expires_at bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, key)
    );
    CREATE INDEX callperm_docs_due ON ${t.docs} (kind, due_at) WHERE due_at IS NOT NULL;
    CREATE INDEX callperm_docs_expires ON ${t.docs} (expires_at) WHERE expires_at IS NOT NULL;`,
  // 3: the consent history per thread: entries keyed by the version their commit wrote and their index in it,
  // read newest first per thread (at, then commit order), pruned by `at`.
  (t) => `
    CREATE TABLE ${t.history} (
      page_id text    NOT NULL,
      psid    text    NOT NULL,
      version integer NOT NULL,
      idx     integer NOT NULL,
      at      bigint  NOT NULL,
      entry   text    NOT NULL,
      PRIMARY KEY (page_id, psid, version, idx)
    );
    CREATE INDEX callperm_history_thread ON ${t.history} (page_id, psid, at DESC, version DESC, idx DESC);
    CREATE INDEX callperm_history_at ON ${t.history} (at);`,
];

const appliedVersion = async (db: Pool | PoolClient, t: PostgresTables): Promise<number | null> => {
  const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [t.migrations]);
  if (exists.rows[0]?.t == null) return null;
  const { rows } = await db.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${t.migrations}`);
  return rows[0]?.v ?? 0;
};

/**
 * Brings the store's schema to the newest version. Safe when several processes
 * start at once: the work runs in one transaction under an advisory lock keyed
 * by the schema, and re-reads the version under it. When the schema is already
 * current it only reads (no lock, no DDL privilege needed).
 *
 * @example
 * await migratePostgres(pool, postgresTables('callperm'));
 */
export const migratePostgres = async (pool: Pool, t: PostgresTables): Promise<void> => {
  const known = POSTGRES_MIGRATIONS.length;
  const before = await appliedVersion(pool, t);
  if (before !== null && before > known) throw new SchemaVersionError('postgres', before, known);
  if (before === known) return;
  const client = await pool.connect();
  const lockKey = `callperm:${t.schemaName}`;
  let unlockFailed = false;
  try {
    // A session lock taken before BEGIN: the transaction then starts with fresh catalog caches, so it
    // sees the schema another process just created (an xact lock taken inside it would not).
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${t.migrations} (
        version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const found = (await appliedVersion(client, t)) ?? 0;
      if (found > known) throw new SchemaVersionError('postgres', found, known);
      for (let v = found; v < known; v += 1) {
        await client.query(POSTGRES_MIGRATIONS[v]?.(t) ?? '');
        await client.query(`INSERT INTO ${t.migrations} (version) VALUES ($1)`, [v + 1]);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {
        unlockFailed = true;
      });
    }
  } finally {
    client.release(unlockFailed); // a connection that may still hold the lock is discarded, not pooled
  }
};
