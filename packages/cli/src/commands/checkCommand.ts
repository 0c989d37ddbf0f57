import { Command } from 'commander';
import type { CliIo } from '../CliIo.js';
import { DEFAULT_STORE_SPEC } from '../store/parseStoreSpec.js';

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
  .option('--store <spec>', 'also store the answer for this thread, shared with serve: sqlite:FILE, redis://..., postgres://..., or memory (nothing kept)', DEFAULT_STORE_SPEC)
  .action(async (page: string, psid: string, options: { readonly store: string }) => {
    const { checkAction } = await import('./checkAction.js');
    await checkAction(io, page, psid, options);
  });
