import type { Result } from '@callperm/core';
import type { GraphCall, GraphReply } from '../graph/graphTransport.js';
import type { GraphError } from '../graph/GraphError.js';
import { loadOtelApi, otelLive } from '@callperm/core/telemetry';
import { DURATION_BUCKETS_S, SPAN_KIND_CLIENT, SPAN_STATUS_ERROR, type OtelHistogram, type OtelTracer } from '@callperm/core/telemetry';

/** The names the Graph client reports under. */
export const graphMetricNames = { duration: 'callperm.graph.duration', span: 'callperm.graph' } as const;

const VERSION = '0.1.0';

type Reply = Result<GraphReply, GraphError>;

/**
 * The Graph client's histogram and spans. `on` is false until
 * `@opentelemetry/api` has loaded and found a registered MeterProvider or
 * TracerProvider: `request` then only checks it. A span (`callperm.graph <operation>`,
 * kind CLIENT) carries the operation, the method, the HTTP status, the failure
 * kind and Meta's code and `fbtrace_id`; never the token, the
 * `appsecret_proof`, the PSID, the path or a body. Internal.
 *
 * @example
 * const tel = new GraphTelemetry();
 * const reply = tel.on ? tel.observe(call, send) : send(call);
 */
export class GraphTelemetry {
  on = false;
  private duration: OtelHistogram | null = null;
  private tracer: OtelTracer | null = null;
  /** Resolves once `@opentelemetry/api` has been looked for. */
  readonly ready: Promise<void>;

  constructor() {
    this.ready = loadOtelApi().then((api) => {
      if (api === null) return;
      const { meter, tracer } = otelLive(api, 'callperm', VERSION);
      this.duration = meter?.createHistogram(graphMetricNames.duration, {
        description: 'Time of one Graph API call (with its retries), by operation.', unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
      }) ?? null;
      this.tracer = tracer;
      this.on = meter !== null || tracer !== null;
    }, () => undefined);
  }

  /** Runs `send(call)` inside a span, and records its duration. */
  async observe(call: GraphCall, send: (call: GraphCall) => Promise<Reply>): Promise<Reply> {
    const startedAt = performance.now();
    const span = this.tracer?.startSpan(`${graphMetricNames.span} ${call.operation}`, {
      kind: SPAN_KIND_CLIENT,
      attributes: { 'callperm.graph.operation': call.operation, 'http.request.method': call.method, 'callperm.page.id': call.pageId },
    });
    const reply = await send(call);
    const status = reply.ok ? reply.value.status : reply.error.httpStatus;
    const fbtraceId = reply.ok ? reply.value.traceId : reply.error.fbtraceId;
    const attributes: Record<string, string | number> = { 'callperm.graph.operation': call.operation };
    if (status !== undefined) attributes['http.response.status_code'] = status;
    if (!reply.ok) attributes['error.type'] = reply.error.kind;
    this.duration?.record((performance.now() - startedAt) / 1000, attributes);
    if (span !== undefined) {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (fbtraceId !== undefined && fbtraceId !== null) span.setAttribute('callperm.graph.fbtrace_id', fbtraceId);
      if (!reply.ok) {
        span.setAttribute('error.type', reply.error.kind);
        if (reply.error.code !== undefined) span.setAttribute('callperm.graph.error_code', reply.error.code);
        span.setAttribute('callperm.graph.processed', reply.error.processed);
        span.setStatus({ code: SPAN_STATUS_ERROR });
      }
      span.end();
    }
    return reply;
  }
}
