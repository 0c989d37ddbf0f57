import type { CallpermLogger } from '@callperm/core';
import type { WebhookPermissions } from './applyWithinBudget.js';
import type { WebhookError } from './WebhookError.js';
import { WebhookOptionError } from './WebhookOptionError.js';

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
  /**
   * A body must be all there this many ms after the receiver starts reading it;
   * one that stalls is dropped and answered 408 with `Connection: close` (default 10 000).
   */
  readonly bodyTimeoutMs?: number;
  /**
   * At most this many bodies are read (not yet verified) at once; past it, POSTs
   * are answered 503 with `Retry-After` before their body is read, and Meta retries
   * (default 256).
   */
  readonly maxPendingBodies?: number;
  /**
   * At most this many bytes of bodies being read at once, counting each request at
   * its declared `Content-Length` (or `maxBodyBytes` when it declares none); past it,
   * 503 with `Retry-After` as above (default 32 MiB). A burst of Meta's small
   * deliveries fits; stalled large bodies cannot hold more than this.
   */
  readonly maxPendingBodyBytes?: number;
  /** Serve only this path (e.g. `/webhook`); other paths get 404. Default: any path the face receives. */
  readonly path?: string;
  /**
   * A signed body of another Meta product sharing the callback URL (`object` is
   * `instagram`, `user`...; WhatsApp's `whatsapp_business_account` is decoded like `page`) is answered 200 and
   * ignored by default (a refusal would make Meta retry it, and after an hour
   * unsubscribe the app); the 200 names it (`ignoredObject`) and the core counts
   * it (`ignoredObjects`). `true` refuses it with 400 `not_a_page_webhook` instead.
   */
  readonly refuseOtherObjects?: boolean;
  /** Hears faults (never secrets, signatures or bodies). Errors it throws are ignored. */
  readonly onError?: (error: WebhookError) => void;
  /**
   * A pino-style logger: each refused request is logged (`webhook_refused` with its
   * reason and status; `warn`, or `error` for a 5xx). Never a signature, a secret
   * or a body. Delivery counts go to the host's OpenTelemetry MeterProvider, if any.
   */
  readonly logger?: CallpermLogger;
};

/**
 * The defaults, in one place.
 *
 * @example
 * createWebhookHandler({ ...options, budgetMs: webhookDefaults.budgetMs / 2 });
 */
export const webhookDefaults = {
  maxBodyBytes: 3 * 1024 * 1024, budgetMs: 3000, bodyTimeoutMs: 10_000, maxPendingBodies: 256, maxPendingBodyBytes: 32 * 1024 * 1024,
} as const;

/** The numeric limits of a receiver, every one checked. */
export type WebhookLimits = { readonly [K in keyof typeof webhookDefaults]: number };

/** The longest a Node timer can wait (longer ones fire after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const ranges: { readonly [K in keyof WebhookLimits]: readonly [min: number, max: number] } = {
  maxBodyBytes: [1, 2 ** 30], // a Buffer of 1 GiB is already far past any delivery
  budgetMs: [0, MAX_TIMER_MS],
  bodyTimeoutMs: [1, MAX_TIMER_MS],
  maxPendingBodies: [1, 1_000_000],
  maxPendingBodyBytes: [1, 2 ** 40],
};

/**
 * The receiver's numeric options with their defaults, each checked to be a whole
 * number in its range: `NaN`, `Infinity`, negative or fractional values throw a
 * `WebhookOptionError` (code `invalid_option`) instead of disabling a limit.
 *
 * @example
 * webhookLimits({ maxBodyBytes: 65_536 }).maxPendingBodies; // 256
 * webhookLimits({ maxBodyBytes: Number.NaN }); // throws WebhookOptionError
 */
export const webhookLimits = (options: Partial<Record<keyof WebhookLimits, unknown>>): WebhookLimits => {
  const pick = (name: keyof WebhookLimits): number => {
    const given = options[name];
    const value = given === undefined ? webhookDefaults[name] : given;
    const [min, max] = ranges[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new WebhookOptionError(name, min, max);
    }
    return value;
  };
  return {
    maxBodyBytes: pick('maxBodyBytes'),
    budgetMs: pick('budgetMs'),
    bodyTimeoutMs: pick('bodyTimeoutMs'),
    maxPendingBodies: pick('maxPendingBodies'),
    maxPendingBodyBytes: pick('maxPendingBodyBytes'),
  };
};

/** The receiver's switches, every one checked. */
export interface WebhookSwitches {
  readonly refuseOtherObjects: boolean;
}

/**
 * The receiver's on/off options with their defaults (all off), each checked to be
 * `true`, `false` or absent: anything else (`'yes'`, `1`, `null`) throws a
 * `WebhookOptionError` (code `invalid_option`) instead of being read as truthy.
 *
 * @example
 * webhookSwitches({}).refuseOtherObjects;                           // false
 * webhookSwitches({ refuseOtherObjects: 'true' }); // throws WebhookOptionError
 */
export const webhookSwitches = (options: { readonly refuseOtherObjects?: unknown }): WebhookSwitches => {
  const given = options.refuseOtherObjects;
  if (given !== undefined && typeof given !== 'boolean') throw new WebhookOptionError('refuseOtherObjects');
  return { refuseOtherObjects: given === true };
};
