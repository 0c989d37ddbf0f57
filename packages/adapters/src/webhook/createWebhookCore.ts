import { decodeWebhook, refusedTotal, type RefusalCounts, type WebhookEvent } from '@callperm/core';
import { answerHandshake } from './answerHandshake.js';
import { applyWithinBudget, type BudgetOutcome } from './applyWithinBudget.js';
import { deadlineQueue } from './deadlineQueue.js';
import { WebhookError } from './WebhookError.js';
import { webhookLimits, webhookSwitches, type WebhookHandlerOptions } from './WebhookHandlerOptions.js';
import { ignoredObject, received, refuse } from './WebhookRefusal.js';
import type { BodyTimer, WebhookRequest, WebhookResponse } from './WebhookRequest.js';
import { verifySignature } from './verifySignature.js';
import { WebhookTelemetry } from '../telemetry/webhookTelemetry.js';

/**
 * The framework-neutral receiver: every face turns its request into a `WebhookRequest` and writes the answer back.
 *
 * @example
 * const { status, reason } = await webhook.core.handle(request);
 */
export interface WebhookCore {
  /**
   * Answers one request. Never rejects: a fault is a 5xx with a typed reason,
   * reported to `onError`. `routed`: the framework already matched the path, skip the `path` check.
   */
  handle(request: WebhookRequest, options?: { readonly routed?: boolean }): Promise<WebhookResponse>;
  /** Resolves when the deliveries applied after their 200 have finished (for shutdown and tests). */
  drain(): Promise<void>;
  /** The body limit faces should read up to. */
  readonly maxBodyBytes: number;
  /** How many bodies are being read right now (counted against `maxPendingBodies`). */
  readonly pendingBodies: number;
  /**
   * How many signed bodies of another Meta product (`object` other than `page`)
   * were answered 200 and ignored since the core was made (0 with `refuseOtherObjects`).
   */
  readonly ignoredObjects: number;
}

const CLOSE = { connection: 'close' } as const;

const RECEIVED: WebhookResponse = {
  status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'EVENT_RECEIVED', reason: null,
};

const isJson = (contentType: string | undefined): boolean => {
  if (contentType === 'application/json') return true; // what Meta sends: no copies
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

const parseJson = (bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(bytes)) as unknown };
  } catch {
    return { ok: false };
  }
};

const secretsOf = (options: WebhookHandlerOptions): readonly string[] => {
  const secrets = options.appSecrets ?? (options.appSecret === undefined ? [] : [options.appSecret]);
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('[callperm] [webhook] Give appSecret (or appSecrets) as non-empty strings: the App Secret from the App Dashboard.');
  }
  return [...secrets];
};

/**
 * Builds the receiver's core. POSTs are checked in this order, each refusal with
 * its status and typed reason: path, method, content type, declared size (413),
 * room to read one more body (503 past `maxPendingBodies`), the body read within
 * `bodyTimeoutMs` (408) and `maxBodyBytes` (413), signature over the raw bytes,
 * JSON, Page-webhook shape (a signed body of another Meta product is answered
 * 200 and ignored, or refused with `refuseOtherObjects`); then the events are deduplicated
 * and applied through the service inside `budgetMs`, or recorded in its inbox and
 * applied afterwards. GET is Meta's verification handshake.
 *
 * @example
 * const core = createWebhookCore({ appSecret, verifyToken, permissions });
 * const res = await core.handle({ method: 'GET', url: '/?hub.mode=subscribe&hub.verify_token=t&hub.challenge=1', header: () => undefined, readBody: async () => new Uint8Array() });
 */
export const createWebhookCore = (options: WebhookHandlerOptions): WebhookCore => {
  const secrets = secretsOf(options);
  if (typeof options.verifyToken !== 'string' || options.verifyToken === '') {
    throw new TypeError('[callperm] [webhook] Give verifyToken: the token you entered for the webhook in the App Dashboard.');
  }
  const { maxBodyBytes, budgetMs, bodyTimeoutMs, maxPendingBodies, maxPendingBodyBytes } = webhookLimits(options);
  const { refuseOtherObjects } = webhookSwitches(options);
  let ignoredObjects = 0;
  // Deliveries counted once `@opentelemetry/api` finds a MeterProvider, refusals logged with a logger; else `tel.on` is false.
  const tel = new WebhookTelemetry(options.logger);
  // One timer for every body being read (deadlines of one length fall due in order): no setTimeout per request.
  const bodyTimer: BodyTimer = deadlineQueue(bodyTimeoutMs);
  const busy = { 'retry-after': String(Math.ceil(bodyTimeoutMs / 1000)), connection: 'close' };
  let pending = 0;
  let pendingBytes = 0;
  const background = new Set<Promise<void>>();
  const report = (e: WebhookError): void => {
    try {
      options.onError?.(e);
    } catch {
      // an observer's fault is the observer's
    }
  };
  const track = (work: Promise<void>): void => {
    background.add(work);
    void work.finally(() => background.delete(work));
  };

  /** An unexpected failure becomes a 5xx with a typed reason, reported to `onError`. */
  const fault = (e: unknown): WebhookResponse => {
    if (e instanceof WebhookError) {
      report(e);
      return refuse(e.code === 'raw_body_unavailable' ? 'raw_body_unavailable' : 'internal_error');
    }
    report(new WebhookError('internal', { cause: e }));
    return refuse('internal_error');
  };

  // [validation at the edge] items refused by decoding or ingest are counted on the 200 (`received`): a retry would be refused alike.
  const answerOf = (outcome: BudgetOutcome, decoded: RefusalCounts): WebhookResponse => {
    if (outcome.kind === 'applied') {
      return refusedTotal(decoded) + refusedTotal(outcome.report.refused) === 0 ? RECEIVED : received(decoded, outcome.report.refused);
    }
    if (outcome.kind !== 'failed') return refusedTotal(decoded) === 0 ? RECEIVED : received(decoded);
    report(outcome.error);
    return refuse('store_unavailable');
  };
  const apply = (events: readonly WebhookEvent[], decoded: RefusalCounts): WebhookResponse | Promise<WebhookResponse> => {
    if (events.length === 0) return refusedTotal(decoded) === 0 ? RECEIVED : received(decoded);
    return applyWithinBudget(options.permissions, events, budgetMs, track, report).then((o) => answerOf(o, decoded));
  };

  const receive = async (req: WebhookRequest, routed: boolean): Promise<WebhookResponse> => {
    // The URL is parsed only when something reads it (a path to check, a handshake): not per delivery.
    const checkPath = !routed && options.path !== undefined;
    const method = req.method.toUpperCase();
    let url: URL | null = null;
    if (checkPath || method === 'GET') {
      try {
        url = new URL(req.url, 'http://receiver.invalid');
      } catch {
        return refuse('not_found');
      }
      if (checkPath && url.pathname !== options.path) return refuse('not_found');
      if (method === 'GET') return answerHandshake(url.searchParams, options.verifyToken);
    }
    if (method !== 'POST') return refuse('method_not_allowed', { allow: 'GET, POST' });
    if (!isJson(req.header('content-type'))) return refuse('unsupported_media_type');
    const declared = Number(req.header('content-length') ?? '0');
    if (Number.isFinite(declared) && declared > maxBodyBytes) return refuse('payload_too_large', CLOSE);
    // Unverified bodies cost memory until their signature is checked: at most maxPendingBodies, and
    // maxPendingBodyBytes by their declared lengths, at once (one body alone always gets its turn).
    const reserved = Number.isFinite(declared) && declared > 0 ? declared : maxBodyBytes;
    if (pending >= maxPendingBodies || (pending > 0 && pendingBytes + reserved > maxPendingBodyBytes)) {
      return refuse('too_many_pending_bodies', busy);
    }
    pending += 1;
    pendingBytes += reserved;
    let body;
    try {
      body = await req.readBody(maxBodyBytes, bodyTimer);
    } finally {
      pending -= 1;
      pendingBytes -= reserved;
    }
    if (!(body instanceof Uint8Array)) {
      if (body === 'too_large') return refuse('payload_too_large', CLOSE);
      if (body === 'timed_out') return refuse('body_timeout', CLOSE);
      return refuse('client_aborted'); // not a fault: nobody is there to answer, and onError does not hear it
    }
    const signature = verifySignature(body, req.header('x-hub-signature-256'), secrets);
    if (signature === 'missing') return refuse('missing_signature');
    if (signature !== 'valid') return refuse('invalid_signature');
    const json = parseJson(body);
    if (!json.ok) return refuse('invalid_json');
    const decoded = decodeWebhook(json.value);
    if (!decoded.ok) return refuse('not_a_page_webhook');
    const { otherObject } = decoded.value;
    if (otherObject !== null) {
      // Another product on the same callback URL: refusing it would only make Meta retry, then unsubscribe the app.
      if (refuseOtherObjects) return refuse('not_a_page_webhook');
      ignoredObjects += 1;
      return ignoredObject(otherObject);
    }
    return apply(decoded.value.events, decoded.value.refused);
  };

  return {
    maxBodyBytes,
    get pendingBodies() {
      return pending;
    },
    get ignoredObjects() {
      return ignoredObjects;
    },
    handle: (req, handleOptions) => {
      let answer: Promise<WebhookResponse>;
      try {
        answer = receive(req, handleOptions?.routed === true);
      } catch (e) {
        return Promise.resolve(fault(e));
      }
      const answered = answer.catch(fault);
      return tel.on ? answered.then((res) => (tel.answered(req.method, res), res)) : answered;
    },
    drain: async () => {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
};
