import type { IncomingMessage, ServerResponse } from 'node:http';

/** `/metrics` of `callperm serve`: the Prometheus text of every callperm metric. */
export interface MetricsEndpoint {
  /** Answers one `GET /metrics` with the Prometheus text format (0.0.4). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Unregisters the MeterProvider and shuts it down. */
  close(): Promise<void>;
}

/**
 * Registers an OpenTelemetry MeterProvider whose only reader is the Prometheus
 * exporter, without the exporter's own HTTP server: `handle` serves its text on
 * whatever listener and route the caller guards (serve puts it behind the JSON
 * API's bearer token). The SDK is imported here, so only `serve` loads it. Call it
 * before the Graph client, service and receiver are made: their instruments bind
 * to the provider registered when `@opentelemetry/api` has loaded.
 *
 * @example
 * const metrics = await startMetrics();
 * threadApi(permissions, { token, metrics: metrics.handle });
 * await metrics.close();
 */
export const startMetrics = async (): Promise<MetricsEndpoint> => {
  const [{ metrics }, { MeterProvider }, { PrometheusExporter }] = await Promise.all([
    import('@opentelemetry/api'), import('@opentelemetry/sdk-metrics'), import('@opentelemetry/exporter-prometheus'),
  ]);
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  // False when the process already has one (an embedding host): then /metrics shows only what reaches this provider.
  const registered = metrics.setGlobalMeterProvider(provider);
  return {
    handle: (req, res) => exporter.getMetricsRequestHandler(req, res),
    close: async () => {
      if (registered) metrics.disable();
      await provider.shutdown();
    },
  };
};
