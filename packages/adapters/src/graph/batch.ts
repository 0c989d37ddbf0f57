import { err, parsePermissionCheck, parseGraphError, type GraphFailure, type RemotePermission, type Result, type Thread } from '@callperm/core';
import type { GraphError } from './GraphError.js';
import { toGraphError } from './toGraphError.js';
import type { GraphReply, GraphTransport } from './graphTransport.js';

/**
 * Meta's limit on items per batch request.
 *
 * @example
 * graphApi({ accessToken, batch: { size: MAX_BATCH_SIZE } });
 */
export const MAX_BATCH_SIZE = 50;

/** One thread's outcome in `checkMany`, in the order the threads were given. */
export interface CheckManyItem {
  readonly thread: Thread;
  readonly result: Result<RemotePermission, GraphFailure>;
}

/** How `checkMany` splits and retries: items per request (at most 50) and rounds for `null` items. */
export interface BatchOptions {
  readonly apiVersion: string;
  readonly size: number;
  readonly nullRetries: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One item of Meta's batch answer, `{code, body}` with the body a JSON string, read into a result. */
const readItem = (item: Record<string, unknown>, reply: GraphReply): Result<RemotePermission, GraphError> => {
  const code = typeof item.code === 'number' ? item.code : 0;
  let body: unknown;
  try {
    body = typeof item.body === 'string' ? JSON.parse(item.body) as unknown : undefined;
  } catch {
    return err(reply.fail({ from: 'response', httpStatus: code, problem: 'malformed_json' }));
  }
  if (code >= 200 && code < 300) {
    const decoded = parsePermissionCheck(body);
    return decoded.ok ? decoded : err(reply.fail({ from: 'response', httpStatus: code, problem: 'unexpected_shape' }));
  }
  const meta = parseGraphError(body);
  return err(reply.fail(meta.ok
    ? { from: 'meta', error: meta.value, operation: 'batch', httpStatus: code }
    : { from: 'response', httpStatus: code, problem: 'unexpected_shape' }));
};

/** Checks one Page's threads (at most `size`), retrying the items Meta left `null`. */
const checkChunk = async (
  transport: GraphTransport, pageId: string, threads: readonly Thread[], options: BatchOptions,
): Promise<Result<RemotePermission, GraphFailure>[]> => {
  const results = Array.from<Result<RemotePermission, GraphFailure> | undefined>({ length: threads.length });
  let pending = threads.map((_, i) => i);
  let lastReply: GraphReply | undefined;
  for (let round = 0; round <= options.nullRetries && pending.length > 0; round++) {
    const batch = pending.map((i) => ({
      method: 'GET',
      relative_url: `${options.apiVersion}/${encodeURIComponent(pageId)}/messenger_call_permissions?psid=${encodeURIComponent(threads[i]?.psid ?? '')}`,
    }));
    const reply = await transport.request({ pageId, operation: 'batch', method: 'POST', effect: 'read', path: '', form: { batch: JSON.stringify(batch), include_headers: 'false' } });
    if (!reply.ok) {
      return results.map((r) => r ?? reply);
    }
    lastReply = reply.value;
    const answers = reply.value.json;
    if (!Array.isArray(answers) || answers.length !== pending.length) {
      const bad = err(reply.value.fail({ from: 'response', httpStatus: reply.value.status, problem: 'unexpected_shape' }));
      for (const i of pending) results[i] = bad;
      pending = [];
      break;
    }
    const stillNull: number[] = [];
    pending.forEach((i, k) => {
      const item: unknown = answers[k];
      if (item === null) stillNull.push(i); // Meta timed out before this item: ask again
      else results[i] = isRecord(item) ? readItem(item, reply.value) : err(reply.value.fail({ from: 'response', httpStatus: reply.value.status, problem: 'unexpected_shape' }));
    });
    pending = stillNull;
  }
  const unfinished = (): Result<never, GraphError> => err(lastReply?.fail({ from: 'response', httpStatus: lastReply.status, problem: 'unfinished' })
    ?? toGraphError({ from: 'response', httpStatus: 0, problem: 'unfinished' }));
  return results.map((r) => r ?? unfinished());
};

/**
 * Checks many threads through the Graph batch API: threads are grouped by Page (so
 * each request's token is that Page's token), at most `size` items a request,
 * Pages in parallel and each Page's chunks in order (a throttled Page stops at
 * once). Items Meta leaves `null` are retried `nullRetries` times; per-item errors
 * stay with their item. Results come back in the order of `threads`.
 *
 * @example
 * const items = await checkMany(transport, threads, { apiVersion: 'v26.0', size: 50, nullRetries: 2 });
 * items[0]?.result.ok;
 */
export const checkMany = async (
  transport: GraphTransport, threads: readonly Thread[], options: BatchOptions,
): Promise<readonly CheckManyItem[]> => {
  const size = Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor(options.size)));
  const byPage = new Map<string, number[]>();
  threads.forEach((t, i) => {
    const list = byPage.get(t.pageId) ?? [];
    list.push(i);
    byPage.set(t.pageId, list);
  });
  const results = new Array<Result<RemotePermission, GraphFailure>>(threads.length);
  await Promise.all([...byPage].map(async ([pageId, indexes]) => {
    for (let from = 0; from < indexes.length; from += size) {
      const chunk = indexes.slice(from, from + size);
      const out = await checkChunk(transport, pageId, chunk.map((i) => threads[i]!), { ...options, size });
      chunk.forEach((i, k) => { results[i] = out[k]!; });
    }
  }));
  return threads.map((thread, i) => ({ thread, result: results[i]! }));
};
