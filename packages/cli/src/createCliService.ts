import { createCallPermissions, type CallPermissions, type Clock, type GraphApi, type TransitionNotice } from '@callperm/core';
import type { OpenedStore } from './store/openStore.js';

/**
 * The core service on a store the CLI opened. The store keeps each thread's
 * consent history itself (what `chart --thread` replays); every committed
 * transition is also passed on to `onTransition` if given.
 *
 * @example
 * const opened = await openStore(parseStoreSpec('memory', process.cwd()));
 * const service = createCliService(opened, graphFromEnv(process.env));
 */
export const createCliService = (
  opened: OpenedStore,
  graph: GraphApi,
  options: { readonly clock?: Clock; readonly onTransition?: (notice: TransitionNotice) => void } = {},
): CallPermissions => createCallPermissions({
  graph,
  store: opened.store,
  ...(options.clock ? { clock: options.clock } : {}),
  ...(options.onTransition ? { onTransition: options.onTransition } : {}),
});
