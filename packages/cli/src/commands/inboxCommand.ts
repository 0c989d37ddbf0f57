import { Command } from 'commander';
import type { GraphApi } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { openStore, type OpenedStore } from '../store/openStore.js';
import { parseStoreSpec } from '../store/parseStoreSpec.js';

const STORE_HELP = 'the store the service shares: sqlite:FILE, redis://..., postgres://...';

/** Replaying applies webhook events only: it never calls Meta, so it needs no Page token. */
const offlineGraph: GraphApi = {
  checkPermission: () => Promise.resolve({ ok: false, error: { kind: 'transient', processed: 'no', message: 'no Graph API during an inbox replay' } }),
  sendPermissionRequest: () => Promise.resolve({ ok: false, error: { kind: 'transient', processed: 'no', message: 'no Graph API during an inbox replay' } }),
};

const withStore = async <T>(spec: string, cwd: string, body: (opened: OpenedStore) => Promise<T>): Promise<T> => {
  const opened = await openStore(parseStoreSpec(spec, cwd));
  try {
    return await body(opened);
  } finally {
    await opened.close();
  }
};

const parseLimit = (raw: string): number => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) throw new CliError('usage', `--limit needs a whole number from 1 to 10000; got ${JSON.stringify(raw)}.`);
  return n;
};

/** A failure's secret-free name: its `code`, else its class name. */
const codeOf = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return e instanceof Error ? e.name : 'unknown';
};

const listCommand = (io: CliIo): Command => new Command('list')
  .description('list webhook deliveries the sweep moved aside after failing too often (oldest first, as JSON)')
  .requiredOption('--store <spec>', STORE_HELP)
  .option('--limit <n>', 'at most this many', '100')
  .action(async (options: { readonly store: string; readonly limit: string }) => {
    const limit = parseLimit(options.limit);
    await withStore(options.store, io.cwd, async (opened) => {
      const entries = await createCliService(opened, offlineGraph).inboxAside.list(limit);
      io.out(`${JSON.stringify(entries, null, 2)}\n`);
    });
  });

const replayCommand = (io: CliIo): Command => new Command('replay')
  .description('apply deliveries moved aside again (by key, or --all) and delete each one applied')
  .argument('[keys...]', 'keys printed by `callperm inbox list`')
  .requiredOption('--store <spec>', STORE_HELP)
  .option('--all', 'replay every delivery moved aside (up to --limit)')
  .option('--limit <n>', 'with --all, at most this many', '100')
  .action(async (keys: readonly string[], options: { readonly store: string; readonly all?: true; readonly limit: string }) => {
    if ((keys.length === 0) === (options.all === undefined)) throw new CliError('usage', 'Name the keys to replay (see `callperm inbox list`), or pass --all.');
    const limit = parseLimit(options.limit);
    await withStore(options.store, io.cwd, async (opened) => {
      const service = createCliService(opened, offlineGraph);
      const targets = options.all ? (await service.inboxAside.list(limit)).map((e) => e.key) : keys;
      const replayed: string[] = [];
      const missing: string[] = [];
      const failed: { key: string; code: string }[] = [];
      for (const key of targets) {
        try {
          ((await service.inboxAside.replay(key)) ? replayed : missing).push(key);
        } catch (e) {
          failed.push({ key, code: codeOf(e) });
        }
      }
      io.out(`${JSON.stringify({ replayed, missing, failed }, null, 2)}\n`);
      if (failed.length > 0) throw new CliError('store', `${failed.length} of ${targets.length} deliveries did not apply; they stay moved aside. Fix the cause and replay them again.`);
    });
  });

/**
 * `callperm inbox list|replay --store SPEC`: the webhook deliveries the sweep
 * moved aside after `inboxMaxAttempts` failures (kept, never deleted unapplied):
 * list them, or apply them again once the cause is fixed. Replaying is safe to
 * repeat (webhook events are idempotent) and calls no Graph API.
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
