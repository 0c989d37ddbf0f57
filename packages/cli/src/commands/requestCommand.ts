import { Command } from 'commander';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { parseThread } from '../parseThread.js';
import { withGraphAndStore } from './withGraphAndStore.js';

/**
 * `callperm request PAGE PSID`: sends one calling-permission request (the
 * `calling_optin` message) if the thread's decision in `--store` allows it,
 * reserving its quota slot first. Prints `{ ok, thread, messageId | reason,
 * decision }` as JSON; exits 1 when refused or when the Graph API fails, 3 when
 * `PAGE_ACCESS_TOKEN` is unset.
 *
 * @example
 * await runCli(['request', '1234', '5678', '--store', 'sqlite:callperm.sqlite'], io);
 */
export const requestCommand = (io: CliIo): Command => new Command('request')
  .description('send one calling-permission request to a person (needs PAGE_ACCESS_TOKEN)')
  .argument('<page>', 'the Page id')
  .argument('<psid>', 'the person\'s page-scoped id')
  .option('--store <spec>', 'the thread\'s record (quota, window, pending reply): memory, sqlite:FILE, redis://..., postgres://...', 'memory')
  .action(async (page: string, psid: string, options: { readonly store: string }) => {
    const thread = parseThread(page, psid);
    await withGraphAndStore(io, options.store, async (client, opened) => {
      const sent = await createCliService(opened, client).request(thread);
      if (sent.ok) {
        io.out(`${JSON.stringify({ ok: true, thread, messageId: sent.value.messageId, decision: sent.value.decision }, null, 2)}\n`);
        return;
      }
      const e = sent.error;
      io.out(`${JSON.stringify({ ok: false, thread, ...e }, null, 2)}\n`);
      if ('failure' in e) {
        throw new CliError('graph_failure', `The request was not confirmed (${e.reason}, ${e.failure.kind}): ${e.failure.message}`);
      }
      const next = e.decision.nextRequestAt === null ? '' : ` The next request may go at ${new Date(e.decision.nextRequestAt).toISOString()}.`;
      throw new CliError('refused', `No request sent: ${e.reason}.${next}`);
    });
  });
