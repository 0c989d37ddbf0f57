import type { GraphFailure } from '../ports/GraphApi.js';
import type { IngestReport } from '../service/CallPermissions.js';
import type { SweepReport } from '../service/sweep.js';
import { refusedTotal } from '../codecs/DecodeReport.js';
import { loadOtelApi, otelLive } from './loadOtelApi.js';
import { DURATION_BUCKETS_S, type OtelCounter, type OtelHistogram, type OtelMeter } from './OtelApi.js';

/** The names callperm's service reports under (see the README's Observability section). */
export const serviceMetricNames = {
  optInSent: 'callperm.optin.sent',
  optInRefused: 'callperm.optin.refused',
  decisions: 'callperm.decisions',
  webhookEvents: 'callperm.webhook.events',
  webhookApplyDuration: 'callperm.webhook.apply.duration',
  sweepRuns: 'callperm.sweep.runs',
  sweepItems: 'callperm.sweep.items',
  storeDuration: 'callperm.store.duration',
} as const;

/** `SweepReport` fields as `callperm.outcome` values. */
const SWEEP_FIELDS = ['due', 'checked', 'expired', 'inbox', 'pages', 'retired', 'idle', 'deferred', 'failed', 'movedAside'] as const;

interface Instruments {
  readonly optInSent: OtelCounter;
  readonly optInRefused: OtelCounter;
  readonly decisions: OtelCounter;
  readonly webhookEvents: OtelCounter;
  readonly applyDuration: OtelHistogram;
  readonly sweepRuns: OtelCounter;
  readonly sweepItems: OtelCounter;
  readonly storeDuration: OtelHistogram;
}

const seconds = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } };

const instrumentsOf = (meter: OtelMeter): Instruments => ({
  optInSent: meter.createCounter(serviceMetricNames.optInSent, { description: 'Opt-ins (calling_optin) Meta accepted.', unit: '{request}' }),
  optInRefused: meter.createCounter(serviceMetricNames.optInRefused, { description: 'Permission requests that sent nothing or that Meta refused, by reason and failure kind.', unit: '{request}' }),
  decisions: meter.createCounter(serviceMetricNames.decisions, { description: 'Decisions answered by status, canStartCall and request, by reason.', unit: '{decision}' }),
  webhookEvents: meter.createCounter(serviceMetricNames.webhookEvents, { description: 'Webhook events ingested, by outcome.', unit: '{event}' }),
  applyDuration: meter.createHistogram(serviceMetricNames.webhookApplyDuration, { description: 'Time to apply one delivery\'s events (ingest).', ...seconds }),
  sweepRuns: meter.createCounter(serviceMetricNames.sweepRuns, { description: 'Sweeps run.', unit: '{sweep}' }),
  sweepItems: meter.createCounter(serviceMetricNames.sweepItems, { description: 'Sweep work by SweepReport field.', unit: '{item}' }),
  storeDuration: meter.createHistogram(serviceMetricNames.storeDuration, { description: 'Time of one store call, by method.', ...seconds }),
});

/** The core package's version, reported as the meter's version. */
const VERSION = '0.1.0';

/**
 * The service's instruments. `on` is false until `@opentelemetry/api` has loaded
 * and found a registered MeterProvider, and stays false without one: every hook
 * in a hot path checks it first and does nothing else. Internal.
 *
 * @example
 * const tel = new ServiceTelemetry();
 * if (tel.on) tel.optInSent();
 */
export class ServiceTelemetry {
  /** True once a live meter's instruments exist. */
  on = false;
  private m: Instruments | null = null;
  /** Resolves once `@opentelemetry/api` has been looked for (tests await it). */
  readonly ready: Promise<void>;

  constructor(load: () => ReturnType<typeof loadOtelApi> = loadOtelApi) {
    this.ready = load().then((api) => {
      const meter = api === null ? null : otelLive(api, 'callperm', VERSION).meter;
      if (meter === null) return;
      this.m = instrumentsOf(meter);
      this.on = true;
    }, () => undefined);
  }

  optInSent(): void {
    this.m?.optInSent.add(1);
  }

  optInRefused(reason: string, failure: GraphFailure | undefined): void {
    this.m?.optInRefused.add(1, { 'callperm.reason': reason, 'callperm.failure.kind': failure?.kind ?? 'none' });
  }

  /** `operation`: status, can_start_call, request; `reason`: the decision's reason, `allowed` or `sent`. */
  decision(operation: string, reason: string): void {
    this.m?.decisions.add(1, { 'callperm.operation': operation, 'callperm.reason': reason });
  }

  ingested(report: IngestReport, startedAt: number): void {
    const m = this.m;
    if (m === null) return;
    m.applyDuration.record((performance.now() - startedAt) / 1000);
    const refused = refusedTotal(report.refused);
    const outcomes = [['applied', report.applied], ['unchanged', report.unchanged], ['duplicate', report.duplicates], ['ignored', report.ignored], ['refused', refused]] as const;
    for (const [outcome, n] of outcomes) if (n > 0) m.webhookEvents.add(n, { 'callperm.outcome': outcome });
  }

  swept(report: SweepReport): void {
    const m = this.m;
    if (m === null) return;
    m.sweepRuns.add(1);
    for (const field of SWEEP_FIELDS) if (report[field] > 0) m.sweepItems.add(report[field], { 'callperm.outcome': field });
  }

  /** `errorType`: the class name or code of what the call threw, null when it resolved. */
  storeCall(method: string, startedAt: number, errorType: string | null): void {
    const attributes = errorType === null ? { 'callperm.store.method': method } : { 'callperm.store.method': method, 'error.type': errorType };
    this.m?.storeDuration.record((performance.now() - startedAt) / 1000, attributes);
  }
}
