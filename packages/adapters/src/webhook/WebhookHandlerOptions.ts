import type { WebhookPermissions } from './applyWithinBudget.js';
import type { WebhookError } from './WebhookError.js';

/** One app secret, or several during a rotation (a signature made with any of them is valid). */
export type WebhookSecrets =
  | { readonly appSecret: string; readonly appSecrets?: undefined }
  | { readonly appSecrets: readonly string[]; readonly appSecret?: undefined };

/**
 * Options of `createWebhookHandler`.
 *
 * @example
 * const options: WebhookHandlerOptions = { appSecret: secret, verifyToken: token, permissions };
 */
export type WebhookHandlerOptions = WebhookSecrets & {
  /** The token you entered in the App Dashboard for the handshake. */
  readonly verifyToken: string;
  /** The service (`createCallPermissions`): its `ingest` and `inbox` are used. */
  readonly permissions: WebhookPermissions;
  /** Bodies over this are refused with 413 (default 3 MiB, the largest payload Meta documents). */
  readonly maxBodyBytes?: number;
  /** Answer by this many ms; slower deliveries are recorded in the inbox first (default 3000; Meta waits 5 s). */
  readonly budgetMs?: number;
  /** Serve only this path (e.g. `/webhook`); other paths get 404. Default: any path the face receives. */
  readonly path?: string;
  /** Hears faults (never secrets, signatures or bodies). Errors it throws are ignored. */
  readonly onError?: (error: WebhookError) => void;
};

/**
 * The defaults, in one place.
 *
 * @example
 * createWebhookHandler({ ...options, budgetMs: webhookDefaults.budgetMs / 2 });
 */
export const webhookDefaults = { maxBodyBytes: 3 * 1024 * 1024, budgetMs: 3000 } as const;
