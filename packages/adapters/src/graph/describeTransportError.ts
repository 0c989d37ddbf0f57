/** What callperm keeps of a transport fault: a code, a safe summary, and whether Meta can have seen the request. */
export interface TransportFault {
  readonly code: string;
  readonly summary: string;
  readonly processed: 'no' | 'unknown';
  /** The token could not even be put in a header (invalid characters). */
  readonly badToken: boolean;
}

/** Failures that happen before a byte reaches Meta: the request cannot have been processed. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRINUSE', 'ERR_INVALID_URL']);
/** Timeouts in these phases fire before the connection exists. */
const EARLY_TIMEOUTS = new Set(['lookup', 'connect', 'secureConnect']);
/** Node refuses a header value with control characters before sending anything. */
const BAD_HEADER = new Set(['ERR_INVALID_CHAR', 'ERR_HTTP_INVALID_HEADER_VALUE']);

const field = (e: unknown, key: string): string | undefined => {
  if (typeof e !== 'object' || e === null || !(key in e)) return undefined;
  const v = (e as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Reads a got or Node error by its `name`, `code` and timeout `event` only. Its
 * message and options are never copied: got's errors carry the request options,
 * headers (and so the token) included.
 *
 * @example
 * describeTransportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).processed; // 'no'
 */
export const describeTransportError = (error: unknown): TransportFault => {
  const name = field(error, 'name') ?? 'Error';
  const code = field(error, 'code') ?? 'UNKNOWN';
  if (name === 'TimeoutError') {
    const event = field(error, 'event') ?? 'request';
    return {
      code: 'ETIMEDOUT', summary: `timed out in the ${event} phase`,
      processed: EARLY_TIMEOUTS.has(event) ? 'no' : 'unknown', badToken: false,
    };
  }
  if (BAD_HEADER.has(code)) {
    return { code, summary: 'the access token has characters a header cannot carry', processed: 'no', badToken: true };
  }
  if (NOT_SENT.has(code)) return { code, summary: `could not connect (${code})`, processed: 'no', badToken: false };
  // Resets, hang-ups and anything unknown: the request may have been written already.
  return { code, summary: `the connection failed (${code})`, processed: 'unknown', badToken: false };
};
