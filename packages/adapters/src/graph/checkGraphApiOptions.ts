import { GraphConfigError } from './GraphConfigError.js';

/** What a numeric option may be: its smallest value, whether it must be whole, and its largest (finite unless said). */
interface NumberRule {
  readonly min: number;
  readonly max?: number;
  readonly integer: boolean;
}

const WHOLE_MS: NumberRule = { min: 1, max: 2 ** 31 - 1, integer: true }; // what setTimeout can wait for

/** A number option as the caller gave it; `undefined` means "use the default". */
export interface NumericOption {
  readonly name: string;
  readonly value: unknown;
  readonly rule: NumberRule;
}

const checkNumber = ({ name, value, rule }: NumericOption): void => {
  if (value === undefined) return;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  const bad = typeof value !== 'number' || !Number.isFinite(value) || value < rule.min || value > max
    || (rule.integer && !Number.isInteger(value));
  if (bad) {
    const shown = typeof value === 'number' ? String(value) : typeof value;
    throw new GraphConfigError('invalid_option', name,
      `graphApi option ${name} must be a ${rule.integer ? 'whole number' : 'finite number'} from ${rule.min} to ${max}; got ${shown}. Fix it or leave it out for the default.`);
  }
};

/** IPv4 127.0.0.0/8, IPv6 ::1 and `localhost`: the only hosts a token may travel to over plain HTTP. */
const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/**
 * Refuses a base URL that would carry the Page token in clear text or nowhere
 * sensible: it must parse, and be `https:`, or `http:` on a loopback host only
 * (127.0.0.0/8, `::1`, `localhost`; the fake Graph API in tests).
 *
 * @example
 * checkBaseUrl('https://graph.facebook.com'); // fine
 * checkBaseUrl('http://graph.example.com'); // throws GraphConfigError with code 'insecure_base_url'
 */
export const checkBaseUrl = (baseUrl: string): void => {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new GraphConfigError('invalid_option', 'baseUrl', 'graphApi option baseUrl is not a URL: give https://HOST (or http://127.0.0.1:PORT for a local fake).');
  }
  if (url.username !== '' || url.password !== '') {
    throw new GraphConfigError('invalid_option', 'baseUrl', 'graphApi option baseUrl must not carry a user or password: the client authenticates with the Page token.');
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
  throw new GraphConfigError('insecure_base_url', 'baseUrl',
    `graphApi option baseUrl must use https: (plain http: only for loopback hosts); got the ${url.protocol} scheme for host ${JSON.stringify(url.hostname)}. The Page token must not travel in clear text.`);
};

/** The numeric options of `graphApi`, as given (before defaults). */
export interface GraphNumericOptions {
  readonly timeouts?: Readonly<Record<string, unknown>> | undefined;
  readonly retry?: { readonly limit?: unknown; readonly baseDelayMs?: unknown; readonly maxDelayMs?: unknown } | undefined;
  readonly throttleFallbackMs?: unknown;
  readonly throttleMaxMs?: unknown;
  readonly batch?: { readonly size?: unknown; readonly nullRetries?: unknown } | undefined;
  readonly maxResponseBytes?: unknown;
}

/**
 * Checks every numeric option of `graphApi` at construction: `NaN`, `Infinity`,
 * negatives, fractions where whole numbers are meant and values out of range
 * throw a `GraphConfigError` (`code: 'invalid_option'`) naming the option.
 *
 * @example
 * checkGraphNumbers({ retry: { limit: -1 } }); // throws: option 'retry.limit'
 * checkGraphNumbers({ timeouts: { response: 5_000 }, batch: { size: 20 } }); // fine
 */
export const checkGraphNumbers = (o: GraphNumericOptions): void => {
  const options: NumericOption[] = [
    ...Object.entries(o.timeouts ?? {}).map(([k, value]) => ({ name: `timeouts.${k}`, value, rule: WHOLE_MS })),
    { name: 'retry.limit', value: o.retry?.limit, rule: { min: 0, max: 100, integer: true } },
    { name: 'retry.baseDelayMs', value: o.retry?.baseDelayMs, rule: WHOLE_MS },
    { name: 'retry.maxDelayMs', value: o.retry?.maxDelayMs, rule: WHOLE_MS },
    { name: 'throttleFallbackMs', value: o.throttleFallbackMs, rule: WHOLE_MS },
    { name: 'throttleMaxMs', value: o.throttleMaxMs, rule: WHOLE_MS },
    { name: 'batch.size', value: o.batch?.size, rule: { min: 1, max: 50, integer: true } },
    { name: 'batch.nullRetries', value: o.batch?.nullRetries, rule: { min: 0, max: 100, integer: true } },
    { name: 'maxResponseBytes', value: o.maxResponseBytes, rule: { min: 1, integer: true } },
  ];
  for (const option of options) checkNumber(option);
};
