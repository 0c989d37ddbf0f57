import type { GraphFailure } from '../ports/GraphApi.js';

/**
 * What a Graph adapter that threw (instead of resolving to a failure) counts as:
 * an unknown failure that may have been processed. The message names no detail of
 * the thrown value, which may hold a request with its token.
 *
 * @example
 * const sent = await graph.sendPermissionRequest(thread).catch((e: unknown) => err(asGraphFailure(e)));
 */
export const asGraphFailure = (e: unknown): GraphFailure => ({
  kind: 'unknown', processed: 'unknown', message: e instanceof Error ? `${e.name}: the Graph adapter threw` : 'the Graph adapter threw',
});
