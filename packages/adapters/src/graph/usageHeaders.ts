/**
 * One business-use-case entry of `X-Business-Use-Case-Usage`: percentages of the
 * rolling allowance used, and the minutes until a throttled business may call again.
 */
export interface BusinessUseCaseUsage {
  readonly type: string | undefined;
  readonly callCount: number;
  readonly totalCputime: number;
  readonly totalTime: number;
  /** `estimated_time_to_regain_access`, minutes; 0 when not throttled. */
  readonly regainAccessMinutes: number;
}

/** `X-App-Usage` (and the legacy `X-Page-Usage`): percentages used over the rolling hour. */
export interface AppUsage {
  readonly callCount: number;
  readonly totalCputime: number;
  readonly totalTime: number;
  /** Present on some legacy `X-Page-Usage` answers; 0 otherwise. */
  readonly regainAccessMinutes: number;
}

/** Header values as Node gives them. */
export type HeaderValue = string | readonly string[] | undefined;

const first = (h: HeaderValue): string | undefined => (typeof h === 'string' ? h : h?.[0]);

const json = (h: HeaderValue): unknown => {
  const raw = first(h);
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Meta sends numbers; a numeric string is read too, anything else is 0. */
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : 0;
};

const usage = (o: Record<string, unknown>): AppUsage => ({
  callCount: num(o.call_count), totalCputime: num(o.total_cputime), totalTime: num(o.total_time),
  regainAccessMinutes: num(o.estimated_time_to_regain_access),
});

/**
 * Reads `X-Business-Use-Case-Usage`: business object id -> its entries. A missing or
 * unreadable header gives an empty map (Meta sends it only once usage is notable).
 *
 * @example
 * parseBusinessUseCaseUsage('{"123":[{"type":"messenger","call_count":100,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":7}]}')
 *   .get('123')?.[0]?.regainAccessMinutes; // 7
 */
export const parseBusinessUseCaseUsage = (header: HeaderValue): ReadonlyMap<string, readonly BusinessUseCaseUsage[]> => {
  const out = new Map<string, BusinessUseCaseUsage[]>();
  const parsed = json(header);
  if (!isRecord(parsed)) return out;
  for (const [businessId, entries] of Object.entries(parsed)) {
    if (!Array.isArray(entries)) continue;
    const list = entries.filter(isRecord).map((e): BusinessUseCaseUsage => ({
      type: typeof e.type === 'string' ? e.type : undefined, ...usage(e),
    }));
    out.set(businessId, list);
  }
  return out;
};

/**
 * Reads `X-App-Usage` or `X-Page-Usage`; `null` when absent or unreadable.
 *
 * @example
 * parseAppUsage('{"call_count":28,"total_time":25,"total_cputime":25}')?.callCount; // 28
 */
export const parseAppUsage = (header: HeaderValue): AppUsage | null => {
  const parsed = json(header);
  return isRecord(parsed) ? usage(parsed) : null;
};

/**
 * The highest of the three percentages: at 100 the allowance is used up.
 *
 * @example
 * peakUsage({ callCount: 40, totalCputime: 100, totalTime: 10, regainAccessMinutes: 0 }); // 100: throttled
 */
export const peakUsage = (u: AppUsage): number => Math.max(u.callCount, u.totalCputime, u.totalTime);
