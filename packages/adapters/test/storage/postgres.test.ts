import { runStoreConformance } from '@callperm/testing';
import { emptyRecord } from '@callperm/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postgresStore, type PostgresStore } from '@callperm/adapters/storage/postgres';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { postgresQueries } from '../../src/storage/postgres/postgresQueries.js';
import { postgresTables } from '../../src/storage/postgres/postgresTables.js';
import { DATABASE_URL, runTag, serverReachable } from './servers.js';

const reachable = await serverReachable('postgres');
const base = `cptest_${runTag()}`;
let pool: pg.Pool;
let schemas = 0;
const freshSchema = (): string => `${base}_${(schemas += 1)}`;
const thread = { pageId: '1001', psid: '2002' };

describe.skipIf(!reachable)('postgres', () => {
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 12 });
  });
  afterAll(async () => {
    const { rows } = await pool.query<{ s: string }>(
      "SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1 || '\\_%'", [base],
    );
    for (const { s } of rows) await pool.query(`DROP SCHEMA "${s}" CASCADE`);
    await pool.end();
  });

  runStoreConformance(test, () => postgresStore({ pool }, { schema: freshSchema() }), {
    name: 'postgres',
    corrupt: async (store: PostgresStore, t, text) => {
      await store.pool.query(`UPDATE ${store.tables.threads} SET record = $3 WHERE page_id = $1 AND psid = $2`,
        [t.pageId, t.psid, text]);
    },
  });

  test('postgres: stores starting together migrate once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => postgresStore({ pool }, { schema })));
    const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${stores[0]!.tables.migrations} ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    expect(await stores[0]!.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: true, version: 1 });
    expect(await stores[3]!.compareAndSet(thread, 0, emptyRecord())).toEqual({ ok: false, reason: 'conflict' });
    await Promise.all(stores.map((s) => s.close()));
  });

  test('postgres: a schema migrated by a newer version is refused with schema_too_new', async () => {
    const schema = freshSchema();
    const store = await postgresStore({ pool }, { schema });
    await pool.query(`INSERT INTO ${store.tables.migrations} (version) VALUES ($1)`, [POSTGRES_MIGRATIONS.length + 1]);
    await expect(postgresStore({ pool }, { schema })).rejects.toMatchObject({ code: 'schema_too_new' });
  });

  test('postgres: a schema at version 1 gains the documents table and keeps its threads', async () => {
    const tables = postgresTables(freshSchema());
    await pool.query(`CREATE SCHEMA ${tables.schema}`);
    await pool.query(`CREATE TABLE ${tables.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(POSTGRES_MIGRATIONS[0]!(tables));
    await pool.query(`INSERT INTO ${tables.migrations} (version) VALUES (1)`);
    await pool.query(`INSERT INTO ${tables.threads} (page_id, psid, version, record) VALUES ($1, $2, 3, $3)`,
      [thread.pageId, thread.psid, JSON.stringify(emptyRecord())]);
    const store = await postgresStore({ pool }, { schema: tables.schemaName });
    const { rows } = await pool.query<{ v: number }>(`SELECT max(version) AS v FROM ${tables.migrations}`);
    expect(rows[0]?.v).toBe(POSTGRES_MIGRATIONS.length);
    expect(await store.get(thread)).toEqual({ version: 3, record: emptyRecord() });
    expect(await store.putDoc('call', 'k', 0, '{}', { now: 0, dueAt: 7, expiresAt: null })).toEqual({ ok: true, version: 1 });
    expect(await store.getDoc('call', 'k')).toEqual({ version: 1, value: '{}', dueAt: 7 });
  });

  test('postgres: dueDocs and the pruning of expired documents can use their partial indexes', async () => {
    const store = await postgresStore({ pool }, { schema: freshSchema() });
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string): Promise<string> => JSON.stringify((await client.query(`EXPLAIN ${sql}`)).rows);
      expect(await plan(`SELECT key FROM ${store.tables.docs} WHERE kind = 'inbox' AND due_at IS NOT NULL AND due_at <= 0 ORDER BY due_at LIMIT 10`))
        .toContain('callperm_docs_due');
      expect(await plan(`DELETE FROM ${store.tables.docs} WHERE expires_at IS NOT NULL AND expires_at <= 0`)).toContain('callperm_docs_expires');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });

  test('postgres: a schema name that would need quoting is refused', async () => {
    await expect(postgresStore({ pool }, { schema: 'Bad"Name' })).rejects.toBeInstanceOf(RangeError);
  });

  test('postgres: a store opened from a connection string ends its pool on close; a pool passed in stays open', async () => {
    const own = await postgresStore({ connectionString: DATABASE_URL, poolSize: 2 }, { schema: freshSchema() });
    expect(await own.get(thread)).toBeNull();
    await own.close();
    expect(own.pool.ended).toBe(true);
    const lent = await postgresStore({ pool }, { schema: freshSchema() });
    await lent.close();
    expect(pool.ended).toBe(false);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await expect(lent.get(thread)).rejects.toMatchObject({ code: 'store_closed' });
  });

  test('postgres: expired dedupe rows are pruned, on demand and as callers pass later instants', async () => {
    const store = await postgresStore({ pool }, { schema: freshSchema(), dedupePruneEveryMs: 1000 });
    const rows = async (): Promise<number> => Number((await pool.query(`SELECT count(*) AS n FROM ${store.tables.dedupe}`)).rows[0].n);
    for (const id of ['a', 'b', 'c']) expect(await store.remember(id, 0, 500)).toBe(true);
    expect(await store.remember('d', 100, 5000)).toBe(true);
    expect(await rows()).toBe(4);
    expect(await store.pruneDedupe(500)).toBe(3);
    expect(await rows()).toBe(1);
    expect(await store.remember('e', 1000, 2000)).toBe(true);
    expect(await store.remember('f', 6000, 7000)).toBe(true);
    expect(await rows()).toBe(1);
  });

  test('postgres: due can use the partial index on due_at', async () => {
    const store = await postgresStore({ pool }, { schema: freshSchema() });
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = await client.query(`EXPLAIN ${postgresQueries(store.tables).due.text.replace('$1', '0').replace('$2', '10')}`);
      expect(JSON.stringify(plan.rows)).toContain('callperm_threads_due');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});
