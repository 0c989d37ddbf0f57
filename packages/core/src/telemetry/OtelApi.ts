/**
 * The slice of `@opentelemetry/api` callperm uses, typed structurally so that no
 * published declaration imports the package (it is an optional peer: a host
 * without it type-checks and runs unchanged). Internal.
 */
export type OtelAttributes = Readonly<Record<string, string | number | boolean>>;

export interface OtelCounter {
  add(value: number, attributes?: OtelAttributes): void;
}

export interface OtelHistogram {
  record(value: number, attributes?: OtelAttributes): void;
}

export interface OtelInstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly advice?: { readonly explicitBucketBoundaries?: number[] };
}

export interface OtelMeter {
  createCounter(name: string, options?: OtelInstrumentOptions): OtelCounter;
  createHistogram(name: string, options?: OtelInstrumentOptions): OtelHistogram;
}

export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { readonly code: number }): unknown;
  end(): void;
}

export interface OtelTracer {
  startSpan(name: string, options?: { readonly kind?: number; readonly attributes?: OtelAttributes }): OtelSpan;
}

/** What is read of the loaded module. */
export interface OtelApi {
  readonly metrics: { getMeter(name: string, version?: string): OtelMeter };
  readonly trace: { getTracer(name: string, version?: string): OtelTracer; getTracerProvider(): unknown };
  createNoopMeter(): OtelMeter;
  readonly ProxyTracerProvider: new () => { getDelegate(): unknown };
}

/** `SpanKind.CLIENT` and `SpanStatusCode.ERROR` of the API (stable numbers). */
export const SPAN_KIND_CLIENT = 2;
export const SPAN_STATUS_ERROR = 2;

/** Histogram buckets for call durations in seconds (OTel's HTTP client advice). */
export const DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
