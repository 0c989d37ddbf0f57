import type { UpgradeStep } from './versionedJson.js';

/**
 * The steps that bring a stored record up to `RECORD_SCHEMA`, one per format:
 * `recordUpgrades[i]` takes format `i + 1` to `i + 2` (the chain sets `schema`).
 * Each is pure and tested on its own; a new record field is one more step here
 * (with its default for records stored before it existed).
 *
 * - 1 → 2: nothing changes but where the version lives (every stored form now
 *   carries it: JSON `schema`, the packed header byte).
 * - 2 → 3: `declinedAt` (a stored `rejected` thread declined at its newest
 *   evidence), `refusal` (none known), `remote.permitted` (the check is the
 *   newest evidence and it granted).
 * - 3 → 4: `calls` (none logged) and `callLimitAt` (none known): the
 *   connected-call quota starts counting from the upgrade.
 * - 4 → 5: each reported limit's `freesAt` (not said: null, so the limit
 *   counts its whole period from the check, as before).
 * - 5 → 6: a pending request's `reminds` (null: a stored reminder that fails
 *   returns to the state before its first opt-in, as it did before).
 *
 * @example
 * upgradeRecord({ schema: 1, state: 'none', ... }); // { schema: 2, state: 'none', ... }
 */
export const recordUpgrades: readonly UpgradeStep[] = [
  (v1) => ({ ...v1 }),
  (v2) => ({ ...v2, declinedAt: declinedAtOf(v2), refusal: null, remote: remoteOf(v2) }),
  (v3) => ({ ...v3, calls: [], callLimitAt: null }),
  (v4) => ({ ...v4, remote: withFreesAt(v4) }),
  (v5) => ({ ...v5, pending: withReminds(v5) }),
];

type Fields = Readonly<Record<string, unknown>>;
const SYNC_RANK = 4;
const DENIED = -1;

const evidenceOf = (r: Fields): { at: number; rank: number; weight: number } | null =>
  (r.evidence as { at: number; rank: number; weight: number } | null | undefined) ?? null;

/** A format-2 `rejected` record was declined no later than its newest evidence. */
const declinedAtOf = (r: Fields): number | null =>
  (r.state === 'rejected' ? evidenceOf(r)?.at ?? (r.lastEventAt as number | null | undefined) ?? null : null);

const limitsWithFreesAt = (ls: unknown): unknown =>
  (Array.isArray(ls) ? ls.map((l: unknown) => (typeof l === 'object' && l !== null ? { ...l, freesAt: null } : l)) : ls);
/** A format-4 check's limits, each with `freesAt: null`. */
const withFreesAt = (r: Fields): Fields | null => {
  const remote = (r.remote as Fields | null | undefined) ?? null;
  if (remote === null) return null;
  return { ...remote, requestLimits: limitsWithFreesAt(remote.requestLimits), startCallLimits: limitsWithFreesAt(remote.startCallLimits) };
};
/** A format-5 pending request, with `reminds: null`. */
const withReminds = (r: Fields): Fields | null => {
  const pending = (r.pending as Fields | null | undefined) ?? null;
  return pending === null ? null : { ...pending, reminds: null };
};
/** A format-2 check reported a permission when it is the newest evidence and that evidence granted. */
const remoteOf = (r: Fields): Fields | null => {
  const remote = (r.remote as Fields | null | undefined) ?? null;
  if (remote === null) return null;
  const ev = evidenceOf(r);
  const permitted = ev !== null && ev.rank === SYNC_RANK && ev.at === remote.at && ev.weight !== DENIED;
  return { ...remote, permitted };
};
