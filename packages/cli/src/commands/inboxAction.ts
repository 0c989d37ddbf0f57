import type { GraphApi } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { openStore, type OpenedStore } from '../store/openStore.js';
import { parseStoreSpec } from '../store/parseStoreSpec.js';

/** Replaying applies webhook events only: it never calls Meta, so it needs no Page token. */
const unavailable = () => Promise.resolve({ ok: false, error: { kind: 'transient', processed: 'no', message: 'no Graph API during an inbox replay' } } as const);
const offlineGraph: GraphApi = {
  checkPermission: unavailable,
  sendPermissionRequest: unavailable,
  checkPageCalling: unavailable,
  checkCallSettings: unavailable,
  connectCall: unavailable,
  terminateCall: unavailable,
  acceptCall: unavailable,
  rejectCall: unavailable,
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

/**
 * What `callperm inbox list` does once its options are parsed (loaded only when
 * the command runs).
 *
 * @example
 * await inboxListAction(io, { store: 'sqlite:callperm.sqlite', limit: '100' });
 */
export const inboxListAction = async (io: CliIo, options: { readonly store: string; readonly limit: string }): Promise<void> => {
  const limit = parseLimit(options.limit);
  await withStore(options.store, io.cwd, async (opened) => {
    const entries = await createCliService(opened, offlineGraph).inboxAside.list(limit);
    io.out(`${JSON.stringify(entries, null, 2)}\n`);
  });
};

/**
 * What `callperm inbox replay` does once its options are parsed (loaded only
 * when the command runs).
 *
 * @example
 * await inboxReplayAction(io, [], { store: 'sqlite:callperm.sqlite', all: true, limit: '100' });
 */
export const inboxReplayAction = async (
  io: CliIo,
  keys: readonly string[],
  options: { readonly store: string; readonly all?: true; readonly limit: string },
): Promise<void> => {
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
};
