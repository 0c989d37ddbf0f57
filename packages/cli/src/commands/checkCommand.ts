import { Command } from 'commander';
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
      checkPermission: async (t) => (last = await graph.checkPermission(t)),
      sendPermissionRequest: (t) => graph.sendPermissionRequest(t),
    },
    last: () => last,
  };
};

/**
 * `callperm check PAGE PSID`: one real permission check (`GET
 * /{page}/messenger_call_permissions`), applied to the thread in `--store`
 * (memory by default). Prints `{ ok, thread, remote, decision }` as JSON;
 * exits 1 when the Graph API fails, 3 when `PAGE_ACCESS_TOKEN` is unset.
 *
 * @example
 * await runCli(['check', '1234', '5678'], io);
 */
export const checkCommand = (io: CliIo): Command => new Command('check')
  .description('check one thread\'s calling permission with the Graph API (needs PAGE_ACCESS_TOKEN)')
  .argument('<page>', 'the Page id')
  .argument('<psid>', 'the person\'s page-scoped id')
  .option('--store <spec>', 'also store the answer for this thread: memory, sqlite:FILE, redis://..., postgres://...', 'memory')
  .action(async (page: string, psid: string, options: { readonly store: string }) => {
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
  });
