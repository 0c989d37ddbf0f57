import { throttleScopeOf } from '../../../../adapters/src/graph/throttleGate.js';
import type { WireExchange } from './metaWire.js';

const MINUTE = 60_000;
/** The Graph client's shortest backoff after a throttle without Meta's wait (`ThrottleGate` `baseMs` default). */
export const MIN_BACKOFF_MS = MINUTE;
/** 368, a policy block: the client waits at least an hour (`POLICY_BLOCK_MS`). */
const POLICY_BLOCK_MS = 60 * MINUTE;
/** Meta's throttling codes (Graph error handling and rate limiting pages); 613 on an opt-in is the thread's request limit instead. */
const THROTTLE_CODES = new Set([4, 17, 32, 341, 368, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009]);

const keyOf = (x: Pick<WireExchange, 'pageId' | 'psid'>): string => `${x.pageId ?? '?'}:${x.psid ?? '?'}`;

/** Checks and sends by thread, in arrival order. */
const byThread = (log: readonly WireExchange[]): Map<string, WireExchange[]> => {
  const out = new Map<string, WireExchange[]>();
  for (const x of log) {
    if (x.endpoint === 'other') continue;
    const key = keyOf(x);
    out.set(key, [...(out.get(key) ?? []), x]);
  }
  return out;
};
const answered = (x: WireExchange) => (x.outcome?.kind === 'answered' ? x.outcome : null);
const metaError = (x: WireExchange): { code: number; subcode?: number } | null => {
  const json = answered(x)?.json as { error?: { code?: unknown; error_subcode?: unknown } } | undefined;
  return typeof json?.error?.code === 'number' ? { code: json.error.code, ...(typeof json.error.error_subcode === 'number' ? { subcode: json.error.error_subcode } : {}) } : null;
};

/**
 * A send the client cannot know the fate of: no answer (Meta reset it, or the
 * client timed out), a 5xx, or a 2xx it cannot read. Meta may or may not have
 * sent the opt-in.
 */
export const isAmbiguousSend = (x: WireExchange): boolean => {
  if (x.endpoint !== 'send' || x.outcome === null) return false;
  if (x.outcome.kind !== 'answered') return true;
  if (x.outcome.status >= 500) return true;
  const json = x.outcome.json as { message_id?: unknown } | undefined;
  return x.outcome.status < 300 && typeof json?.message_id !== 'string';
};

/** A permission check Meta answered with the permission (200 and a JSON body that is no error). */
export const isAnsweredCheck = (x: WireExchange): boolean => {
  const a = answered(x);
  return x.endpoint === 'check' && a !== null && a.status === 200 && typeof a.json === 'object' && a.json !== null && !('error' in a.json);
};

/** A send that reached Meta again while an earlier one's fate was unknown and no answered check came between. */
export interface BlindRetry {
  readonly thread: string;
  readonly ambiguousAt: number;
  readonly againAt: number;
}

/**
 * No blind opt-in retry: after a send whose fate the client could not know, the next
 * send to the same person must come after a permission check Meta answered, one that
 * left after the ambiguous send ended (so it could see it).
 *
 * @example
 * expect(blindRetries(wire.log)).toEqual([]);
 */
export const blindRetries = (log: readonly WireExchange[]): BlindRetry[] => {
  const out: BlindRetry[] = [];
  for (const [thread, xs] of byThread(log)) {
    for (const send of xs.filter((x) => x.endpoint === 'send')) {
      for (const earlier of xs.filter((x) => x.endpoint === 'send' && x.order < send.order)) {
        // Still open when the next send left (two at once), or ambiguous and never checked before it.
        const doubtful = earlier.closedOrder === null || earlier.closedOrder > send.order || isAmbiguousSend(earlier);
        if (!doubtful) continue;
        const cleared = xs.some((c) => isAnsweredCheck(c) && c.order > (earlier.closedOrder ?? Infinity) && (c.closedOrder ?? Infinity) < send.order);
        if (!cleared) out.push({ thread, ambiguousAt: earlier.at, againAt: send.at });
      }
    }
  }
  return out;
};

/** Which requests a throttle answer holds back, and for how long at least (virtual ms). */
interface Hold {
  readonly at: number;
  readonly closedOrder: number;
  readonly code: number;
  readonly pageId: string | undefined;
  readonly wholeClient: boolean;
  readonly minMs: number;
}

/** Meta's regain time for the answer's own Page's business, in ms, from `X-Business-Use-Case-Usage`, if it names one. */
const regainMs = (x: WireExchange, businessOf: (pageId: string) => string): number | null => {
  const usage = answered(x)?.usage;
  if (usage === undefined || x.pageId === undefined) return null;
  try {
    const entries = (JSON.parse(usage) as Record<string, { estimated_time_to_regain_access?: number }[]>)[businessOf(x.pageId)] ?? [];
    const minutes = Math.max(0, ...entries.map((e) => e.estimated_time_to_regain_access ?? 0));
    return minutes > 0 ? minutes * MINUTE : null;
  } catch {
    return null;
  }
};

/** Every throttling answer on the wire, with what it must hold back. */
export const throttleHolds = (log: readonly WireExchange[], businessOf: (pageId: string) => string): Hold[] => log.flatMap((x) => {
  const e = metaError(x);
  if (e === null || !THROTTLE_CODES.has(e.code) || (x.endpoint === 'send' && e.code === 613)) return [];
  const scope = throttleScopeOf(e.code);
  const regain = scope === 'business' || scope === 'page' ? regainMs(x, businessOf) : null;
  const minMs = e.code === 368 ? POLICY_BLOCK_MS : regain ?? MIN_BACKOFF_MS;
  return [{ at: x.at, closedOrder: x.closedOrder ?? 0, code: e.code, pageId: x.pageId, wholeClient: scope === 'app' || scope === 'user', minMs }];
});

/** A request that reached Meta while a throttle it had announced still held its scope. */
export interface ThrottleBreach {
  readonly code: number;
  readonly throttledAt: number;
  readonly pageId: string | undefined;
  readonly sentAt: number;
}

/**
 * Throttles are honoured: after Meta throttled a scope (the app or the token's user:
 * every Page; a Page or its business: that Page), nothing for that scope reaches Meta
 * at a later instant before Meta's regain time (or the client's shortest backoff,
 * or an hour for a policy block) has passed. Requests at the throttle's own instant
 * may have been in flight already and are not counted.
 *
 * @example
 * expect(throttleBreaches(wire.log, (p) => businessOf[p])).toEqual([]);
 */
export const throttleBreaches = (log: readonly WireExchange[], businessOf: (pageId: string) => string): ThrottleBreach[] =>
  throttleHolds(log, businessOf).flatMap((h) => log
    .filter((x) => x.order > h.closedOrder && x.at > h.at && x.at < h.at + h.minMs && (h.wholeClient || x.pageId === h.pageId))
    .slice(0, 1)
    .map((x) => ({ code: h.code, throttledAt: h.at, pageId: h.pageId, sentAt: x.at })));

/** How one ambiguous send was reconciled. */
export interface Reconciliation {
  readonly thread: string;
  readonly sentAt: number;
  /** Virtual ms from the send to the first check Meta answered after it; null: none came. */
  readonly afterMs: number | null;
  /** A check for the thread failed, or a throttle held its Page, before the answered one: the bound does not apply. */
  readonly hindered: boolean;
}

/**
 * For every ambiguous send, the first permission check Meta answered after it, and
 * whether failing checks or throttles on its Page stood in the way (then the
 * reconcile delay plus the sweep period cannot bound it). A throttle counts as in
 * the way for its shortest hold or `holdMaxMs` (the client's longest backoff), whichever is longer.
 *
 * @example
 * reconciliations(wire.log, holds, 2 * MINUTE, 10 * MINUTE).filter((r) => !r.hindered && r.afterMs! > 2 * MINUTE); // []
 */
export const reconciliations = (log: readonly WireExchange[], holds: readonly Hold[], boundMs: number, holdMaxMs: number): Reconciliation[] => {
  const threads = byThread(log);
  return log.filter(isAmbiguousSend).map((send) => {
    const xs = threads.get(keyOf(send)) ?? [];
    const check = xs.find((c) => isAnsweredCheck(c) && c.order > (send.closedOrder ?? Infinity));
    const until = check?.at ?? send.at + boundMs;
    const failedCheck = xs.some((c) => c.endpoint === 'check' && c.order > (send.closedOrder ?? Infinity) && c.at <= until && !isAnsweredCheck(c));
    // The client's block may outlast the shortest one (backoff doubles per repeat, up to `holdMaxMs`).
    const held = holds.some((h) => (h.wholeClient || h.pageId === send.pageId) && h.at + Math.max(h.minMs, holdMaxMs) > send.at && h.at <= until);
    return { thread: keyOf(send), sentAt: send.at, afterMs: check === undefined ? null : check.at - send.at, hindered: failedCheck || held };
  });
};
