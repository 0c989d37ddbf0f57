import type { PermissionRecord, RemoteView } from './PermissionRecord.js';

type Limits = RemoteView['requestLimits'];

const limits = (ls: Limits): Limits => Object.freeze(ls.map((l) => Object.freeze({ periodMs: l.periodMs, max: l.max, used: l.used, freesAt: l.freesAt })));

/**
 * A deep, frozen copy of a record: nothing the caller holds can change it, and
 * `decide` may memoise its decision on it. Copies the known fields only, like
 * the codec: ~10x cheaper than `structuredClone`.
 *
 * @example
 * Object.isFrozen(frozenRecord(emptyRecord())); // true
 */
export const frozenRecord = (r: PermissionRecord): PermissionRecord => {
  const { evidence: ev, pending: pd, remote: rv, refusal: rf } = r;
  return Object.freeze({
    schema: r.schema,
    state: r.state,
    expiresAt: r.expiresAt,
    provisional: r.provisional,
    evidence: ev === null ? null : Object.freeze({ at: ev.at, rank: ev.rank, weight: ev.weight }),
    requests: Object.freeze([...r.requests]),
    pending: pd === null ? null : Object.freeze({
      at: pd.at, messageId: pd.messageId, ambiguous: pd.ambiguous, prior: pd.prior, reminds: pd.reminds === null ? null : Object.freeze({ at: pd.reminds.at, messageId: pd.reminds.messageId }),
    }),
    lastInboundAt: r.lastInboundAt,
    declinedAt: r.declinedAt,
    refusal: rf === null ? null : Object.freeze({ at: rf.at, kind: rf.kind }),
    remote: rv === null ? null : Object.freeze({
      at: rv.at,
      permitted: rv.permitted,
      canRequest: rv.canRequest,
      requestLimits: limits(rv.requestLimits),
      canStartCall: rv.canStartCall,
      startCallLimits: limits(rv.startCallLimits),
    }),
    calls: Object.freeze([...r.calls]),
    callLimitAt: r.callLimitAt,
    lastEventAt: r.lastEventAt,
    dueAt: r.dueAt,
  });
};
