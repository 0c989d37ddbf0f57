import type { CallpermLogger } from '@callperm/core';
import type { WebhookResponse } from '../webhook/WebhookRequest.js';
import type { ReceivedResponse } from '../webhook/WebhookRefusal.js';
import { loadOtelApi, otelLive } from '@callperm/core/telemetry';
import type { OtelCounter } from '@callperm/core/telemetry';

/** The name the receiver reports under. */
export const webhookMetricNames = { deliveries: 'callperm.webhook.deliveries' } as const;

const VERSION = '0.1.0';

/** What became of one request: `received`, `refused` (with its reason), `ignored_object`, `handshake`. */
const outcomeOf = (method: string, res: WebhookResponse): string => {
  if (res.reason !== null) return 'refused';
  if (method.toUpperCase() === 'GET') return 'handshake';
  return (res as Partial<ReceivedResponse>).ignoredObject === undefined ? 'received' : 'ignored_object';
};

/**
 * The receiver's counter of deliveries by outcome, and its log of refusals.
 * `on` is false without a live MeterProvider and without a logger: `handle`
 * then only checks it. Internal.
 *
 * @example
 * const tel = new WebhookTelemetry(options.logger);
 * if (tel.on) tel.answered(req.method, res);
 */
export class WebhookTelemetry {
  on: boolean;
  private deliveries: OtelCounter | null = null;
  readonly ready: Promise<void>;

  constructor(private readonly logger: CallpermLogger | undefined) {
    this.on = logger !== undefined;
    this.ready = loadOtelApi().then((api) => {
      const meter = api === null ? null : otelLive(api, 'callperm', VERSION).meter;
      if (meter === null) return;
      this.deliveries = meter.createCounter(webhookMetricNames.deliveries, { description: 'Requests the webhook receiver answered, by outcome and refusal reason.', unit: '{request}' });
      this.on = true;
    }, () => undefined);
  }

  /** Counts (and, for a refusal, logs) one answered request. */
  answered(method: string, res: WebhookResponse): void {
    const outcome = outcomeOf(method, res);
    const ignored = (res as Partial<ReceivedResponse>).ignoredObject;
    this.deliveries?.add(1, res.reason !== null
      ? { 'callperm.outcome': outcome, 'callperm.refusal': res.reason }
      : ignored === undefined ? { 'callperm.outcome': outcome } : { 'callperm.outcome': outcome, 'callperm.object': ignored });
    if (res.reason === null || this.logger === undefined) return;
    const fields = { event: 'webhook_refused', reason: res.reason, status: res.status };
    try {
      if (res.status >= 500) this.logger.error(fields, 'callperm: the webhook receiver failed a delivery; Meta will retry');
      else if (res.reason === 'client_aborted') this.logger.debug(fields, 'callperm: a webhook sender went away mid-body');
      else this.logger.warn(fields, 'callperm: the webhook receiver refused a request');
    } catch {
      // a logger's fault is the logger's
    }
  }
}
