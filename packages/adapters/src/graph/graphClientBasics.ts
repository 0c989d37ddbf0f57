import { err, systemClock, type GraphFailure, type Result } from '@callperm/core';
import type { GraphApiOptions } from './graphApi.js';
import { checkBaseUrl, checkGraphNumbers } from './checkGraphApiOptions.js';
import type { GraphLogger } from './GraphLogEntry.js';
import { createGraphTransport, type GraphTransport, type GraphTransportConfig } from './graphTransport.js';
import { defaultRetryPolicy } from './retryDecision.js';
import { ThrottleGate } from './throttleGate.js';
import { toGraphError } from './toGraphError.js';
import { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, DEFAULT_MAX_RESPONSE_BYTES, defaultGraphTimeouts } from './graphDefaults.js';

/** What both Graph clients (Messenger's and WhatsApp's) take besides their tokens and endpoints. */
export type GraphClientOptions = Omit<GraphApiOptions, 'accessToken' | 'messagingType' | 'batch'>;

/** What both clients are built on: the transport (retries, throttling, size cap, scrubbing) and its gate. */
export interface GraphClientBasics {
  readonly apiVersion: string;
  readonly gate: ThrottleGate;
  readonly transport: GraphTransport;
  /** The port promises results, never rejections: anything unforeseen becomes an ambiguous failure. */
  readonly unforeseen: (e: unknown) => Result<never, GraphFailure>;
}

/**
 * Checks the options both clients share (numbers, `https:` off loopback; a
 * `GraphConfigError` otherwise) and builds their transport with its throttle gate.
 *
 * @example
 * const { transport, gate, unforeseen } = graphClientBasics(options, (phoneNumberId) => tokens[phoneNumberId] ?? '');
 */
export const graphClientBasics = (options: GraphClientOptions, accessToken: GraphTransportConfig['accessToken']): GraphClientBasics => {
  checkGraphNumbers(options);
  const baseUrl = options.baseUrl ?? DEFAULT_GRAPH_URL;
  checkBaseUrl(baseUrl);
  // An option given as `undefined` keeps its default rather than turning a timeout off.
  const given = Object.fromEntries(Object.entries(options.timeouts ?? {}).filter(([, v]) => v !== undefined));
  const apiVersion = options.apiVersion ?? DEFAULT_GRAPH_VERSION;
  const clock = options.clock ?? systemClock;
  const gate = new ThrottleGate({
    clock, ...(options.throttleFallbackMs === undefined ? {} : { baseMs: options.throttleFallbackMs }),
    ...(options.throttleMaxMs === undefined ? {} : { maxMs: options.throttleMaxMs }),
  });
  const log: GraphLogger = (entry) => {
    try {
      options.log?.(entry);
    } catch {
      // a logger's fault must not break a call
    }
  };
  const transport = createGraphTransport({
    accessToken, appSecret: options.appSecret, apiVersion,
    baseUrl, timeouts: { ...defaultGraphTimeouts, ...given },
    retry: {
      limit: options.retry?.limit ?? defaultRetryPolicy.limit, baseDelayMs: options.retry?.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    },
    agent: options.agent, gate, clock, log, random: options.random ?? Math.random,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  });
  return { apiVersion, gate, transport, unforeseen: (e) => err(toGraphError({ from: 'transport', error: e })) };
};
