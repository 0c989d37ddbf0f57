import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { memoryStore, type PermissionStore } from '@callperm/core';
import { CliError } from '../CliError.js';
import { memoryTransitionLog } from '../history/memoryTransitionLog.js';
import type { TransitionLog } from '../history/TransitionLog.js';
import { describeStore, type StoreSpec } from './parseStoreSpec.js';

/** A store the CLI opened, with the transition log kept beside it. */
export interface OpenedStore {
  readonly store: PermissionStore;
  readonly log: TransitionLog;
  /** The store as printed in reports (no passwords). */
  readonly label: string;
  /** Flushes the log, then closes the store. */
  close(): Promise<void>;
}

const open = async (spec: StoreSpec): Promise<{ store: PermissionStore; log: TransitionLog }> => {
  switch (spec.kind) {
    case 'memory':
      return { store: memoryStore(), log: memoryTransitionLog() };
    case 'sqlite': {
      mkdirSync(dirname(spec.filename), { recursive: true });
      const [{ sqliteStore }, { sqliteTransitionLog }] = await Promise.all([
        import('@callperm/adapters/storage/sqlite'), import('../history/sqliteTransitionLog.js'),
      ]);
      const store = await sqliteStore({ filename: spec.filename });
      return { store, log: sqliteTransitionLog(store.database) };
    }
    case 'redis': {
      const [{ redisStore }, { redisTransitionLog }] = await Promise.all([
        import('@callperm/adapters/storage/redis'), import('../history/redisTransitionLog.js'),
      ]);
      const store = await redisStore({ url: spec.url }, spec.namespace ? { keyPrefix: spec.namespace } : {});
      return { store, log: redisTransitionLog(store) };
    }
    case 'postgres': {
      const [{ postgresStore }, { postgresTransitionLog }] = await Promise.all([
        import('@callperm/adapters/storage/postgres'), import('../history/postgresTransitionLog.js'),
      ]);
      const store = await postgresStore({ connectionString: spec.connectionString }, spec.namespace ? { schema: spec.namespace } : {});
      try {
        return { store, log: await postgresTransitionLog(store) };
      } catch (e) {
        await store.close();
        throw e;
      }
    }
  }
};

/**
 * Opens the store a `--store` value names (drivers load on demand) and the
 * transition log beside it. Failures become a `CliError` with code `store`.
 *
 * @example
 * const opened = await openStore(parseStoreSpec('sqlite:callperm.sqlite', process.cwd()));
 * await opened.store.get({ pageId: '1', psid: '2' });
 * await opened.close();
 */
export const openStore = async (spec: StoreSpec): Promise<OpenedStore> => {
  const label = describeStore(spec);
  let opened: { store: PermissionStore; log: TransitionLog };
  try {
    opened = await open(spec);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CliError('store', `Could not open the store ${label}: ${why}`, { cause: e });
  }
  return {
    ...opened,
    label,
    close: async () => {
      try {
        await opened.log.flush();
      } finally {
        await opened.store.close();
      }
    },
  };
};
