import type { OtelApi, OtelMeter, OtelTracer } from './OtelApi.js';

/** A variable, not a literal: bundlers and TypeScript leave the optional peer alone. */
const SPECIFIER = '@opentelemetry/api';

let loading: Promise<OtelApi | null> | undefined;

const pick = (mod: unknown): OtelApi | null => {
  const m = mod as Partial<OtelApi> & { readonly default?: Partial<OtelApi> };
  const api = m.metrics !== undefined ? m : m.default;
  return api?.metrics !== undefined && api.trace !== undefined && typeof api.createNoopMeter === 'function' ? (api as OtelApi) : null;
};

/**
 * `@opentelemetry/api`, imported once on first call (never at module load: no
 * top-level await, nothing for a host without it), or null when it is not installed.
 *
 * @example
 * void loadOtelApi().then((api) => api?.metrics.getMeter('callperm'));
 */
export const loadOtelApi = (): Promise<OtelApi | null> => (loading ??= import(SPECIFIER).then(pick, () => null));

/** What is live in the host right now: a meter (null when no MeterProvider is registered) and a tracer (likewise). */
export interface OtelLive {
  readonly meter: OtelMeter | null;
  readonly tracer: OtelTracer | null;
}

/**
 * The meter and tracer of the globally registered providers, each null when the
 * host registered none (then callperm does no work for it at all).
 *
 * @example
 * const live = otelLive(api, 'callperm', '0.1.0'); // { meter: null, tracer: null } without an SDK
 */
export const otelLive = (api: OtelApi, name: string, version: string): OtelLive => {
  const meter = api.metrics.getMeter(name, version);
  const provider = api.trace.getTracerProvider() as { getDelegate?: () => unknown };
  const noopTracing = typeof provider.getDelegate === 'function' && provider.getDelegate() === new api.ProxyTracerProvider().getDelegate();
  return { meter: meter === api.createNoopMeter() ? null : meter, tracer: noopTracing ? null : api.trace.getTracer(name, version) };
};
