import type { CliIo } from '../CliIo.js';
import { graphFromEnv, type CliGraph } from '../graphFromEnv.js';
import { openStore, type OpenedStore } from '../store/openStore.js';
import { parseStoreSpec } from '../store/parseStoreSpec.js';

/**
 * Opens the Graph client from the environment (PAGE_ACCESS_TOKEN, …) and the
 * store named by `--store`, runs `body`, and closes both whatever happens.
 *
 * @example
 * await withGraphAndStore(io, 'memory', async (client, opened) => createCliService(opened, client).refresh(thread));
 */
export const withGraphAndStore = async <T>(
  io: CliIo,
  storeSpec: string,
  body: (client: CliGraph, opened: OpenedStore) => Promise<T>,
): Promise<T> => {
  const client = graphFromEnv(io.env);
  const spec = parseStoreSpec(storeSpec, io.cwd);
  if (spec.kind === 'memory') {
    io.err('store memory: nothing is kept when this command ends (no quota, no pending opt-in); the default store keeps them.\n');
  }
  const opened = await openStore(spec).catch((e: unknown) => {
    client.close();
    throw e;
  });
  try {
    return await body(client, opened);
  } finally {
    client.close();
    await opened.close();
  }
};
