import { Command } from 'commander';
import type { CliIo } from '../CliIo.js';
import { DEFAULT_STORE_SPEC } from '../store/parseStoreSpec.js';

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
  .option('--store <spec>', 'the thread\'s record (quota, window, pending reply), shared with serve: sqlite:FILE, redis://..., postgres://..., or memory (nothing kept)', DEFAULT_STORE_SPEC)
  .action(async (page: string, psid: string, options: { readonly store: string }) => {
    const { requestAction } = await import('./requestAction.js');
    await requestAction(io, page, psid, options);
  });
