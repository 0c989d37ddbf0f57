import { Command } from 'commander';
import type { CliIo } from '../CliIo.js';

const STORE_HELP = 'the store the service shares: sqlite:FILE, redis://..., postgres://...';

const listCommand = (io: CliIo): Command => new Command('list')
  .description('list webhook deliveries the sweep moved aside after failing too often (oldest first, as JSON)')
  .requiredOption('--store <spec>', STORE_HELP)
  .option('--limit <n>', 'at most this many', '100')
  .action(async (options: { readonly store: string; readonly limit: string }) => {
    const { inboxListAction } = await import('./inboxAction.js');
    await inboxListAction(io, options);
  });

const replayCommand = (io: CliIo): Command => new Command('replay')
  .description('apply deliveries moved aside again (by key, or --all) and delete each one applied')
  .argument('[keys...]', 'keys printed by `callperm inbox list`')
  .requiredOption('--store <spec>', STORE_HELP)
  .option('--all', 'replay every delivery moved aside (up to --limit)')
  .option('--limit <n>', 'with --all, at most this many', '100')
  .action(async (keys: readonly string[], options: { readonly store: string; readonly all?: true; readonly limit: string }) => {
    const { inboxReplayAction } = await import('./inboxAction.js');
    await inboxReplayAction(io, keys, options);
  });

/**
 * `callperm inbox list|replay --store SPEC`: the webhook deliveries the sweep
 * moved aside after `inboxMaxAttempts` failures (kept, never deleted unapplied):
 * list them, or apply them again once the cause is fixed. Replaying is safe to
 * repeat (webhook events are idempotent) and calls no Graph API. The work is in
 * `inboxAction`, loaded when a subcommand runs.
 *
 * @example
 * await runCli(['inbox', 'list', '--store', 'sqlite:callperm.sqlite'], io);
 * await runCli(['inbox', 'replay', '--all', '--store', 'sqlite:callperm.sqlite'], io);
 */
export const inboxCommand = (io: CliIo): Command => {
  const inbox = new Command('inbox').description('webhook deliveries moved aside by the sweep: list and replay them');
  for (const sub of [listCommand(io), replayCommand(io)]) {
    inbox.addCommand(sub.configureOutput({ writeOut: io.out, writeErr: io.err }).showHelpAfterError().exitOverride());
  }
  return inbox;
};
