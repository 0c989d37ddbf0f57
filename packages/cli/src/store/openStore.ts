import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { memoryStore, type PermissionStore } from '@callperm/core';
import { CliError } from '../CliError.js';
import { describeStore, type StoreSpec } from './parseStoreSpec.js';

/** A store the CLI opened. Its consent history (`store.history`) is what `chart --thread` replays. */
export interface OpenedStore {
  readonly store: PermissionStore;
  /** The store as printed in reports (no passwords). */
  readonly label: string;
  /** Closes the store. */
  close(): Promise<void>;
}

const open = async (spec: StoreSpec): Promise<PermissionStore> => {
  switch (spec.kind) {
    case 'memory':
      return memoryStore();
    case 'sqlite': {
      mkdirSync(dirname(spec.filename), { recursive: true });
      const { sqliteStore } = await import('@callperm/adapters/storage/sqlite');
      return sqliteStore({ filename: spec.filename });
    }
    case 'redis': {
      const { redisStore } = await import('@callperm/adapters/storage/redis');
      return redisStore({ url: spec.url }, spec.namespace ? { keyPrefix: spec.namespace } : {});
    }
    case 'postgres': {
      const { postgresStore } = await import('@callperm/adapters/storage/postgres');
      return postgresStore({ connectionString: spec.connectionString }, spec.namespace ? { schema: spec.namespace } : {});
    }
  }
};

/**
 * Opens the store a `--store` value names (drivers load on demand). Failures
 * become a `CliError` with code `store`.
 *
 * @example
 * const opened = await openStore(parseStoreSpec('sqlite:callperm.sqlite', process.cwd()));
 * await opened.store.history({ pageId: '1', psid: '2' });
 * await opened.close();
 */
export const openStore = async (spec: StoreSpec): Promise<OpenedStore> => {
  const label = describeStore(spec);
  let store: PermissionStore;
  try {
    store = await open(spec);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CliError('store', `Could not open the store ${label}: ${why}`, { cause: e });
  }
  return { store, label, close: () => store.close() };
};
