import type { Delays } from 'got';

/**
 * The Graph version callperm targets (the current one in the facts file).
 *
 * @example
 * graphApi({ accessToken, apiVersion: DEFAULT_GRAPH_VERSION }); // the same as leaving it out
 */
export const DEFAULT_GRAPH_VERSION = 'v26.0';
/**
 * Meta's Graph API host.
 *
 * @example
 * graphApi({ accessToken, baseUrl: DEFAULT_GRAPH_URL }); // tests pass the fake's url instead
 */
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
/**
 * got sets no timeouts of its own: these bound every phase of every request (ms).
 *
 * @example
 * graphApi({ accessToken, timeouts: { ...defaultGraphTimeouts, response: 5_000 } });
 */
export const defaultGraphTimeouts: Delays = { lookup: 3_000, connect: 5_000, secureConnect: 5_000, send: 10_000, response: 15_000, request: 30_000 };
/**
 * The largest response body the client reads (1 MiB): Meta's answers to these calls
 * are a few KiB, so anything bigger is refused instead of buffered whole.
 *
 * @example
 * graphApi({ accessToken, maxResponseBytes: 4 * DEFAULT_MAX_RESPONSE_BYTES });
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
