import type { GraphFailureKind } from '@callperm/core';

/**
 * One line of the client's log, as data. It names the Page, the path (never the
 * query, which holds `appsecret_proof`) and codes; it never holds a token, a
 * secret or a header.
 *
 * @example
 * graphApi({ accessToken, log: (e) => logger.info(e, `graph ${e.event}`) });
 */
export type GraphLogEntry =
  | { readonly event: 'response'; readonly method: string; readonly path: string; readonly pageId: string; readonly status: number; readonly attempt: number }
  | {
    readonly event: 'retry'; readonly method: string; readonly path: string; readonly pageId: string;
    readonly attempt: number; readonly delayMs: number; readonly kind: GraphFailureKind; readonly code: number | undefined;
  }
  | {
    readonly event: 'failure'; readonly method: string; readonly path: string; readonly pageId: string;
    readonly kind: GraphFailureKind; readonly code: number | undefined; readonly subcode: number | undefined;
    readonly processed: 'no' | 'unknown'; readonly message: string;
  }
  | { readonly event: 'throttled'; readonly method: string; readonly path: string; readonly pageId: string; readonly retryAfterMs: number };

/** Where log entries go. */
export type GraphLogger = (entry: GraphLogEntry) => void;
