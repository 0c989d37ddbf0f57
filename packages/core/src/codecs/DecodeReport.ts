import type { Errors } from 'io-ts';

/** One place where a payload did not match: the JSON path, what was expected there, and what came. */
export interface DecodeIssue {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

/**
 * Why a payload was refused, readable by a person and by code.
 *
 * @example
 * const r = parsePermissionCheck({ nope: true });
 * if (!r.ok) console.log(r.error.issues[0]?.path);
 */
export interface DecodeReport {
  readonly reason: 'invalid_payload';
  /** Which payload kind was being decoded, e.g. `permission_check` or `webhook`. */
  readonly what: string;
  readonly issues: readonly DecodeIssue[];
}

const MAX_ISSUES = 10;

const show = (value: unknown): string => {
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof value;
  }
};

/**
 * Turns io-ts errors into a short report (path, expected, got), at most ten issues.
 *
 * @example
 * const report = toDecodeReport('webhook', errors);
 */
export const toDecodeReport = (what: string, errors: Errors): DecodeReport => {
  const seen = new Set<string>();
  const issues: DecodeIssue[] = [];
  for (const e of errors) {
    // Skip the member indices io-ts adds under unions and intersections: they are not JSON paths.
    const keys = e.context
      .filter((c, i) => {
        if (c.key === '') return false;
        const parent = (e.context[i - 1]?.type as { _tag?: string } | undefined)?._tag;
        return parent !== 'UnionType' && parent !== 'IntersectionType';
      })
      .map((c) => c.key);
    const path = keys.length === 0 ? '$' : `$.${keys.join('.')}`;
    const last = e.context[e.context.length - 1];
    const issue = { path, expected: last?.type.name ?? 'unknown', got: show(e.value) };
    const key = `${issue.path}|${issue.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length >= MAX_ISSUES) break;
  }
  return { reason: 'invalid_payload', what, issues };
};

/** A report for a payload refused by a rule outside io-ts (e.g. not JSON at all). */
export const decodeReport = (what: string, path: string, expected: string, got: unknown): DecodeReport => ({
  reason: 'invalid_payload', what, issues: [{ path, expected, got: show(got) }],
});

/**
 * Why one webhook item or event was refused while the rest of its delivery was
 * applied: an id over its length limit or not well-formed text (a lone surrogate,
 * NUL, a control character), another text value not well-formed or over 64
 * characters (`field_malformed`), an instant outside [now − horizon, now + skew]
 * (`implausible_instant`), or past the per-delivery cap on events or threads.
 */
export type RefusalReason =
  | 'id_too_long' | 'id_malformed' | 'field_malformed' | 'implausible_instant' | 'too_many_events' | 'too_many_threads';

/** How many items were refused, by reason. */
export type RefusalCounts = Readonly<Record<RefusalReason, number>>;

/**
 * No refusal: every count at zero.
 *
 * @example
 * noRefusals.id_malformed; // 0
 */
export const noRefusals: RefusalCounts = Object.freeze({
  id_too_long: 0, id_malformed: 0, field_malformed: 0, implausible_instant: 0, too_many_events: 0, too_many_threads: 0,
});

/**
 * The sum of two refusal counts.
 *
 * @example
 * addRefusals(a, b).too_many_events; // a.too_many_events + b.too_many_events
 */
export const addRefusals = (a: RefusalCounts, b: RefusalCounts): RefusalCounts => ({
  id_too_long: a.id_too_long + b.id_too_long,
  id_malformed: a.id_malformed + b.id_malformed,
  field_malformed: a.field_malformed + b.field_malformed,
  implausible_instant: a.implausible_instant + b.implausible_instant,
  too_many_events: a.too_many_events + b.too_many_events,
  too_many_threads: a.too_many_threads + b.too_many_threads,
});

/**
 * The total of a refusal count.
 *
 * @example
 * refusedTotal(noRefusals); // 0
 */
export const refusedTotal = (r: RefusalCounts): number =>
  r.id_too_long + r.id_malformed + r.field_malformed + r.implausible_instant + r.too_many_events + r.too_many_threads;

/** Where a decoder reports what it refused (the webhook decoder counts; a single-item decode may ignore it). */
export type RefusalSink = (reason: RefusalReason) => void;
