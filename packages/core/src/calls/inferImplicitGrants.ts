import type { ImplicitGrantEvent, WebhookEvent } from '../webhookEvent.js';
import { emptyCallTrace, type CallTrace } from './CallTrace.js';
import { implicitGrantOf } from './implicitGrantOf.js';
import { mergeCallEvent } from './mergeCallEvent.js';

const callKey = (pageId: string, callId: string): string => `${encodeURIComponent(pageId)}:${encodeURIComponent(callId)}`;

/**
 * Folds `calls` webhook items into one trace per call (keyed by Page and call id).
 * Other events are skipped. Start from `known` traces to continue earlier work.
 *
 * @example
 * const traces = traceCalls(events); // Map 'pageId:callId' -> CallTrace
 */
export const traceCalls = (
  events: readonly WebhookEvent[],
  known: ReadonlyMap<string, CallTrace> = new Map(),
): Map<string, CallTrace> => {
  const traces = new Map(known);
  for (const e of events) {
    if (e.kind !== 'call') continue;
    const key = callKey(e.pageId, e.callId);
    traces.set(key, mergeCallEvent(traces.get(key) ?? emptyCallTrace(e.pageId, e.callId), e));
  }
  return traces;
};

/**
 * The implicit grants a sequence of `calls` webhook items gives: one per call at
 * most, whatever order and however many times the items arrived. Pure: the
 * service does the same work item by item, keeping each trace in the store.
 *
 * @example
 * inferImplicitGrants([connect, terminate]); // [{ kind: 'implicit_grant', cause: 'missed_call', ... }]
 */
export const inferImplicitGrants = (events: readonly WebhookEvent[]): ImplicitGrantEvent[] =>
  [...traceCalls(events).values()].flatMap((t) => {
    const g = implicitGrantOf(t);
    return g === null ? [] : [g];
  });

