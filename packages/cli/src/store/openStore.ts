import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { memoryStore, type PermissionStore } from '@callperm/core';
import { CliError } from '../CliError.js';
import { describeStore, storeSecrets, type StoreSpec } from './parseStoreSpec.js';
import { scrubStoreSecrets } from './redactStoreUrl.js';

/** A driver's error with the store's secrets scrubbed from its message and stack (drivers may echo the URL). */
const scrubbed = (e: unknown, secrets: readonly string[]): Error => {
  const source = e instanceof Error ? e : new Error(String(e));
  const copy = new Error(scrubStoreSecrets(source.message, secrets));
  copy.name = source.name;
  copy.stack = scrubStoreSecrets(source.stack ?? '', secrets);
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  return copy;
};

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
      const options = spec.namespace ? { keyPrefix: spec.namespace } : {};
      if (spec.clusterNodes === undefined) return redisStore({ url: spec.url }, options);
      const { openRedisCluster } = await import('./openRedisCluster.js');
      return redisStore({ client: await openRedisCluster(spec.url), closeWithStore: true }, options);
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
    // The driver's own error may quote the connection string: only a scrubbed copy goes on.
    const cause = scrubbed(e, storeSecrets(spec));
    throw new CliError('store', `Could not open the store ${label}: ${cause.message}`, { cause });
  }
  return { store, label, close: () => store.close() };
};
