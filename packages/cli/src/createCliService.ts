import { createCallPermissions, type CallPermissions, type Clock, type GraphApi, type TransitionNotice } from '@callperm/core';
import type { OpenedStore } from './store/openStore.js';

/**
 * The core service on a store the CLI opened, with every committed transition
 * written to the store's transition log (what `chart --thread` replays) and
 * passed on to `onTransition` if given.
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
  onTransition: (n) => {
    opened.log.append(n);
    options.onTransition?.(n);
  },
});
