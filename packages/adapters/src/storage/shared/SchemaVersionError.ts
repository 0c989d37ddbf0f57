/**
 * The database was migrated by a newer callperm than the one running: its schema
 * version is above the newest this code knows. Upgrade @callperm/adapters
 * everywhere that shares the database (never downgrade a migrated database).
 *
 * @example
 * await postgresStore({ connectionString }).catch((e) => e instanceof SchemaVersionError && e.found); // e.g. 3
 */
export class SchemaVersionError extends Error {
  readonly code = 'schema_too_new' as const;
  constructor(readonly driver: string, readonly found: number, readonly known: number) {
    super(`[callperm] [${driver}] The database schema is at version ${found}, newer than ${known}, the newest `
      + 'this version of @callperm/adapters knows: upgrade @callperm/adapters.');
    this.name = 'SchemaVersionError';
  }
}
