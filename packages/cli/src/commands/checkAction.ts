import type { GraphApi, GraphFailure, RemotePermission, Result } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { parseThread } from '../parseThread.js';
import { withGraphAndStore } from './withGraphAndStore.js';

/** Wraps a Graph client so the caller sees the raw check answer the service consumed. */
const recordingChecks = (graph: GraphApi): { graph: GraphApi; last: () => Result<RemotePermission, GraphFailure> | undefined } => {
  let last: Result<RemotePermission, GraphFailure> | undefined;
  return {
    graph: {
      ...graph,
      checkPermission: async (t) => (last = await graph.checkPermission(t)),
    },
    last: () => last,
  };
};

/**
 * What `callperm check PAGE PSID` does once its options are parsed (loaded only
 * when the command runs, so `callperm --help` loads no Graph client or store).
 *
 * @example
 * await checkAction(io, '1234', '5678', { store: 'memory' });
 */
export const checkAction = async (io: CliIo, page: string, psid: string, options: { readonly store: string }): Promise<void> => {
  const thread = parseThread(page, psid);
  await withGraphAndStore(io, options.store, async (client, opened) => {
    const recorder = recordingChecks(client);
    const refreshed = await createCliService(opened, recorder.graph).refresh(thread);
    const remote = recorder.last();
    if (!refreshed.ok) {
      io.out(`${JSON.stringify({ ok: false, thread, failure: refreshed.error.failure, decision: refreshed.error.decision }, null, 2)}\n`);
      throw new CliError('graph_failure', `The permission check failed (${refreshed.error.failure.kind}): ${refreshed.error.failure.message}`);
    }
    io.out(`${JSON.stringify({ ok: true, thread, remote: remote?.ok ? remote.value : null, decision: refreshed.value }, null, 2)}\n`);
  });
};
