import type { Instant } from '../thread.js';
import type { Evidence, PermissionRecord } from './PermissionRecord.js';

/** Tie-break ranks at one instant: a later kind of evidence outranks an earlier kind. */
export const EvidenceRank = { reject: 1, implicit: 2, approve: 3, sync: 4 } as const;

/** Weight of a grant without a known expiry (JSON-safe stand-in for infinity). */
export const NO_EXPIRY_WEIGHT = Number.MAX_SAFE_INTEGER;

/**
 * Builds the evidence key of an event: grants weigh their expiry, denials -1.
 *
 * @example
 * evidenceOf(1000, EvidenceRank.approve, 5000); // { at: 1000, rank: 3, weight: 5000 }
 */
export const evidenceOf = (at: Instant, rank: number, grantUntil: Instant | null | 'denied'): Evidence => ({
  at,
  rank,
  weight: grantUntil === 'denied' ? -1 : grantUntil ?? NO_EXPIRY_WEIGHT,
});

/**
 * True when `candidate` is strictly newer than the record's evidence, compared as
 * `(at, rank, weight)`. Equal evidence is not newer: applying an event twice is a no-op.
 *
 * @example
 * isNewerEvidence(emptyRecord(), evidenceOf(1, 1, 'denied')); // true
 */
export const isNewerEvidence = (record: PermissionRecord, candidate: Evidence): boolean => {
  const cur = record.evidence;
  if (cur === null) return true;
  if (candidate.at !== cur.at) return candidate.at > cur.at;
  if (candidate.rank !== cur.rank) return candidate.rank > cur.rank;
  return candidate.weight > cur.weight;
};
