import fc from 'fast-check';
import {
  emptyRecord, requestMessageAt, resolvePolicy, step,
  type CallRefusalKind, type RequestMessage, type Instant, type PermissionEvent, type RefusalKind, type PermissionRecord, type Policy, type RemotePermission, type ResolvedPolicy,
} from '../../src/internals.js';

export const T0 = Date.UTC(2026, 10, 1);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A random policy: Messenger's, WhatsApp's, or windows of random size and count. */
export const policyArb: fc.Arbitrary<Policy> = fc.record({
  windows: fc.array(fc.record({ hours: fc.integer({ min: 1, max: 24 * 7 }), max: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 2 }),
  strict: fc.boolean(),
  pendingHours: fc.integer({ min: 1, max: 48 }),
  reminderHours: fc.integer({ min: 1, max: 30 }),
  afterDecline: fc.oneof(fc.constant('next_message'), fc.integer({ min: 1, max: 48 }).map((h) => `PT${h}H`)),
  resetByCall: fc.boolean(),
  template: fc.boolean(),
  outcomeMinutes: fc.integer({ min: 1, max: 30 }),
}).map(({ windows, strict, pendingHours, reminderHours, afterDecline, resetByCall, template, outcomeMinutes }) => ({
  requestQuota: windows.map((w) => ({ period: `PT${w.hours}H`, max: w.max })),
  permissionTtl: 'P7D',
  messagingWindow: 'PT24H',
  requireKnownMessagingWindow: strict,
  pendingReplyTimeout: `PT${pendingHours}H`,
  reminderAfter: `PT${reminderHours}H`,
  afterDecline,
  preflightMaxAge: 'PT1H',
  pageRecheckAfter: 'PT6H',
  startCallRecheck: 'PT1H',
  dedupeTtl: 'PT2H',
  reconcileDelay: 'PT1M',
  sendOutcomeTimeout: `PT${outcomeMinutes}M`,
  historyRetention: 'P400D',
  threadRetention: 'P30D',
  callQuota: [{ period: 'PT24H', max: 5 }],
  requestQuotaResetByCall: resetByCall,
  templateOutsideWindow: template,
}));

export interface RemoteParams {
  readonly granted: boolean;
  readonly expiresIn: number | null;
  readonly used: number;
  readonly max: number;
  readonly canStart: boolean;
  /** WhatsApp's `limit_expiration_time` on a used-up request limit: this long after the check (optional). */
  readonly freesIn?: number | null;
}

export const remoteParamsArb: fc.Arbitrary<RemoteParams> = fc.record({
  granted: fc.boolean(),
  expiresIn: fc.option(fc.integer({ min: -2 * DAY, max: 8 * DAY }), { nil: null }),
  used: fc.integer({ min: 0, max: 3 }),
  max: fc.integer({ min: 1, max: 3 }),
  canStart: fc.boolean(),
  freesIn: fc.option(fc.integer({ min: 1, max: 30 * HOUR }), { nil: null }),
});

/** What a remote check at `at` reports, from generated parameters. */
export const buildRemote = (p: RemoteParams, at: Instant): RemotePermission => ({
  status: p.granted ? 'has_permission' : 'no_permission',
  rawStatus: p.granted ? 'has_permission' : 'no_permission',
  expiresAt: p.granted && p.expiresIn !== null ? at + p.expiresIn : null,
  request: {
    canPerform: p.used < p.max,
    limits: [{ period: 'PT24H', max: p.max, used: p.used, ...(p.freesIn != null && p.used >= p.max ? { freesAt: at + p.freesIn } : {}) }],
  },
  startCall: { canPerform: p.granted && p.canStart, limits: [] },
});

/** One generated step of a history: what happens, and how long after the previous one. */
export type Move =
  | { kind: 'request'; dt: number; outcome: 'sent' | 'failed' | 'ambiguous' | 'cut_short' | RefusalKind }
  | { kind: 'approve'; dt: number; lag: number; ttl: number | null; permanent?: boolean }
  | { kind: 'reject'; dt: number; lag: number }
  | { kind: 'message'; dt: number }
  | { kind: 'implicit'; dt: number; missed: boolean }
  | { kind: 'sync'; dt: number; remote: RemoteParams }
  | { kind: 'tick'; dt: number }
  | { kind: 'call'; dt: number; outcome: 'placed' | 'failed' | 'ambiguous' | CallRefusalKind }
  | { kind: 'placedElsewhere'; dt: number }
  | { kind: 'answered'; dt: number };

const outcomeArb = fc.constantFrom<'sent' | 'failed' | 'ambiguous' | 'cut_short' | RefusalKind>(
  'sent', 'sent', 'sent', 'failed', 'ambiguous', 'cut_short', 'outside_window', 'request_limit', 'person_unavailable',
);

const dtArb = fc.oneof(fc.integer({ min: 0, max: HOUR }), fc.integer({ min: 0, max: 30 * HOUR }));

export const moveArb: fc.Arbitrary<Move> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('request' as const), dt: dtArb, outcome: outcomeArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('approve' as const), dt: dtArb, lag: fc.integer({ min: 0, max: 3 * HOUR }),
      ttl: fc.option(fc.integer({ min: HOUR, max: 8 * DAY }), { nil: null }), permanent: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reject' as const), dt: dtArb, lag: fc.integer({ min: 0, max: 3 * HOUR }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('message' as const), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('implicit' as const), dt: dtArb, missed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), dt: dtArb, remote: remoteParamsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: dtArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('call' as const), dt: dtArb,
      outcome: fc.constantFrom<'placed' | 'failed' | 'ambiguous' | CallRefusalKind>('placed', 'placed', 'failed', 'ambiguous', 'no_permission', 'call_limit'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('placedElsewhere' as const), dt: dtArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('answered' as const), dt: dtArb }) },
);

/** A send that reached (or may have reached) Meta, with what the record knew just before. */
export interface Send {
  readonly at: Instant;
  readonly lastInboundAt: Instant | null;
  readonly remote: PermissionRecord['remote'];
  /** The message the service would send it as (`requestMessageAt` on the reserved record). */
  readonly message: RequestMessage;
}

export interface Played {
  readonly record: PermissionRecord;
  readonly sends: readonly Send[];
  readonly events: readonly PermissionEvent[];
  readonly now: Instant;
  /** For each quota reset by a connected call, how many sends came before it. */
  readonly resets: readonly number[];
}

/** Turns moves into machine events and plays them through `step`, like the service does. */
export const play = (moves: readonly Move[], policy: ResolvedPolicy, start: PermissionRecord = emptyRecord(), startAt: Instant = T0): Played => {
  let now = startAt;
  let record = start;
  const sends: Send[] = [];
  const resets: number[] = [];
  const events: PermissionEvent[] = [];
  const apply = (e: PermissionEvent) => {
    events.push(e);
    const r = step(record, e, policy);
    record = r.record;
    return r;
  };
  for (const m of moves) {
    now += m.dt;
    switch (m.kind) {
      case 'request': {
        apply({ type: 'TICK', at: now });
        const before = record;
        const r = apply({ type: 'REQUEST', at: now });
        if (r.effects.length === 0) break;
        // `cut_short`: the host died mid-send, so no outcome is written; Meta may have it (counted as a send).
        const message = requestMessageAt(r.record, now, policy);
        if (m.outcome === 'cut_short') {
          sends.push({ at: now, lastInboundAt: before.lastInboundAt, remote: before.remote, message });
          break;
        }
        if (m.outcome === 'sent' || m.outcome === 'ambiguous') sends.push({ at: now, lastInboundAt: before.lastInboundAt, remote: before.remote, message });
        if (m.outcome === 'sent') apply({ type: 'REQUEST_SENT', at: now, requestedAt: now, messageId: `m${now}` });
        else if (m.outcome === 'failed' || m.outcome === 'ambiguous') apply({ type: 'REQUEST_FAILED', at: now, requestedAt: now, ambiguous: m.outcome === 'ambiguous' });
        else apply({ type: 'REQUEST_FAILED', at: now, requestedAt: now, ambiguous: false, refusal: m.outcome });
        break;
      }
      case 'approve': apply({ type: 'REPLY_APPROVE', at: now - m.lag, expiresAt: m.ttl === null ? null : now - m.lag + m.ttl, permanent: m.permanent }); break;
      case 'reject': apply({ type: 'REPLY_REJECT', at: now - m.lag }); break;
      case 'message': apply({ type: 'USER_MESSAGE', at: now }); break;
      case 'implicit': apply({ type: m.missed ? 'CONSUMER_CALL_MISSED' : 'CALL_CONNECTED', at: now }); break;
      case 'sync': apply({ type: 'REMOTE_SYNC', at: now, remote: buildRemote(m.remote, now) }); break;
      case 'tick': apply({ type: 'TICK', at: now }); break;
      case 'call': {
        const r = apply({ type: 'CALL_START', at: now });
        if (r.effects.length === 0 || m.outcome === 'placed' || m.outcome === 'ambiguous') break;
        apply({ type: 'CALL_FAILED', at: now, placedAt: now, ...(m.outcome === 'failed' ? {} : { refusal: m.outcome }) });
        break;
      }
      case 'placedElsewhere': apply({ type: 'CALL_PLACED', at: now }); break;
      case 'answered': {
        // A connected call that reset the request quota: the sends before it no longer count.
        if (apply({ type: 'CALL_ANSWERED', at: now }).changed) resets.push(sends.length);
        break;
      }
    }
  }
  return { record, sends, events, now, resets };
};

export const historyArb = fc.array(moveArb, { maxLength: 40 });
export const resolved = (p: Policy): ResolvedPolicy => resolvePolicy(p);
