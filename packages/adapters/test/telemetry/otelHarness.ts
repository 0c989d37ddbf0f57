import { metrics, trace } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadOtelApi } from '@callperm/core/telemetry';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One data point of a collected metric: its instrument, attributes and value (sum, or histogram count). */
export interface Point {
  readonly name: string;
  readonly unit: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: number;
}

const pointsOf = (rm: ResourceMetrics): Point[] => rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => m.dataPoints.map((dp) => ({
  name: m.descriptor.name,
  unit: m.descriptor.unit,
  attributes: dp.attributes,
  value: typeof dp.value === 'number' ? dp.value : (dp.value as { count: number }).count,
}))));

/** In-memory OpenTelemetry registered globally, as a host's SDK would be. */
export interface OtelHarness {
  collect(): Promise<Point[]>;
  spans(): readonly ReadableSpan[];
  /** Resolves once callperm's lazy imports of `@opentelemetry/api` have settled (instruments bound). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Registers a MeterProvider and a TracerProvider (before callperm is created, as
 * the README asks), collecting in memory.
 *
 * @example
 * const otel = registerOtel();
 * const points = await otel.collect();
 */
export const registerOtel = (): OtelHarness => {
  metrics.disable();
  trace.disable();
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    collect: async () => pointsOf((await reader.collect()).resourceMetrics),
    spans: () => exporter.getFinishedSpans(),
    settled,
    close: async () => {
      metrics.disable();
      trace.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
};

/** Both packages' lazy imports settled: every `.then` registered before (binding instruments) has run. */
export const settled = async (): Promise<void> => {
  await loadOtelApi();
  await Promise.resolve();
};
