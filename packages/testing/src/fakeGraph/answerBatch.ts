import type { FakeAnswer, FakeGraphCore } from './FakeGraphCore.js';
import { fakeMetaErrors } from './fakeMetaErrors.js';

/**
 * Meta's batch limit.
 *
 * @example
 * threads.length > MAX_BATCH_ITEMS; // the fake refuses such a batch with code 100
 */
export const MAX_BATCH_ITEMS = 50;

/** One item of a batch answer: Meta's `{code, headers?, body}` with the body as a JSON string. */
export interface FakeBatchItemAnswer {
  readonly code: number;
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
  readonly body: string;
}

/** How to answer a batch: drop headers, and leave the last `nullLast` items unfinished (`null`). */
export interface AnswerBatchOptions {
  readonly includeHeaders: boolean;
  readonly nullLast: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const VERSION = /^v\d+\.\d+\//;

/** Routes one item's `relative_url` to the core; only the permission check is served. */
const answerItem = (core: FakeGraphCore, item: unknown, topToken: string | undefined): FakeAnswer => {
  if (!isRecord(item) || typeof item.relative_url !== 'string') {
    return { status: 400, body: fakeMetaErrors.invalidParameter, headers: {} };
  }
  const method = typeof item.method === 'string' ? item.method.toUpperCase() : 'GET';
  const url = new URL(item.relative_url.replace(/^\//, '').replace(VERSION, ''), 'http://graph.invalid/');
  const token = typeof item.access_token === 'string' ? item.access_token : topToken;
  const [pageId, edge, ...rest] = url.pathname.slice(1).split('/');
  if (method === 'GET' && pageId !== undefined && edge === 'messenger_call_permissions' && rest.length === 0) {
    return core.check(decodeURIComponent(pageId), url.searchParams.get('psid') ?? undefined, token);
  }
  return { status: 400, body: fakeMetaErrors.unknownPath, headers: {} };
};

/** The Page ids an item touches, for the usage headers of the whole batch. */
const pageOf = (item: unknown): string | undefined => {
  if (!isRecord(item) || typeof item.relative_url !== 'string') return undefined;
  return item.relative_url.replace(/^\//, '').replace(VERSION, '').split(/[/?]/)[0];
};

/**
 * Answers a Graph batch request (`batch=[{method, relative_url, access_token?}]`):
 * each item is its own call (its own token, throttling and errors), answers come
 * back in order, and unfinished items are `null`.
 *
 * @example
 * answerBatch(core, [{ method: 'GET', relative_url: 'v26.0/p1/messenger_call_permissions?psid=u1' }], token, { includeHeaders: false, nullLast: 0 });
 */
export const answerBatch = (core: FakeGraphCore, batch: unknown, topToken: string | undefined, options: AnswerBatchOptions): FakeAnswer => {
  if (!Array.isArray(batch) || batch.length === 0) return { status: 400, body: fakeMetaErrors.invalidParameter, headers: {} };
  if (batch.length > MAX_BATCH_ITEMS) return { status: 400, body: fakeMetaErrors.batchTooLarge, headers: {} };
  const done = batch.length - Math.min(batch.length, Math.max(0, options.nullLast));
  const answers = batch.map((item: unknown, i): FakeBatchItemAnswer | null => {
    if (i >= done) return null;
    const a = answerItem(core, item, topToken);
    const headers = [{ name: 'Content-Type', value: 'text/javascript; charset=UTF-8' }];
    return { code: a.status, ...(options.includeHeaders ? { headers } : {}), body: JSON.stringify(a.body) };
  });
  const pages = batch.map(pageOf).filter((p): p is string => p !== undefined);
  return { status: 200, body: answers, headers: core.usageHeaders(pages) };
};
