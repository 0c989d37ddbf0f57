/** Qualified, quoted names of the tables one PostgreSQL store owns. */
export interface PostgresTables {
  /** The schema name as given (unquoted). */
  readonly schemaName: string;
  /** The schema, quoted for SQL. */
  readonly schema: string;
  readonly threads: string;
  readonly dedupe: string;
  /** Side documents (call traces, the webhook inbox). */
  readonly docs: string;
  /** Consent-history entries, keyed by thread, version and index (migration 3). */
  readonly history: string;
  readonly migrations: string;
}

/**
 * Names the tables of a store in `schema`. The schema must be a plain lower-case
 * identifier (letters, digits, `_`, at most 63 bytes), so it needs no escaping
 * anywhere (SQL, prepared statement names, advisory lock keys).
 *
 * @example
 * postgresTables('callperm').threads; // '"callperm".callperm_threads'
 */
export const postgresTables = (schema: string): PostgresTables => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(`[callperm] [postgres] schema ${JSON.stringify(schema)} must match /^[a-z_][a-z0-9_]{0,62}$/.`);
  }
  const q = `"${schema}"`;
  return {
    schemaName: schema,
    schema: q,
    threads: `${q}.callperm_threads`,
    dedupe: `${q}.callperm_dedupe`,
    docs: `${q}.callperm_docs`,
    history: `${q}.callperm_history`,
    migrations: `${q}.callperm_migrations`,
  };
};
