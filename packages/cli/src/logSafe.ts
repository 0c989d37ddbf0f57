/** How many characters of one value a log line shows; the rest is cut and counted. */
export const LOG_VALUE_LIMIT = 200;

/** C1 controls, line and paragraph separators and bidi overrides: JSON.stringify leaves these as they are. */
const UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value from outside (a webhook id, an inbox key) as one quoted, escaped token for
 * a log line: control characters, ANSI escapes, newlines, bidi overrides and lone
 * surrogates come out as `\uXXXX`, so the value cannot end the line, forge another
 * one or recolour the terminal; past `LOG_VALUE_LIMIT` characters it is cut.
 *
 * @example
 * logSafe('123\n2026-01-01 fake line'); // '"123\\n2026-01-01 fake line"'
 * io.err(`sweep ${logSafe(thread.pageId)}:${logSafe(thread.psid)}: ${name}\n`);
 */
export const logSafe = (value: unknown): string => {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > LOG_VALUE_LIMIT ? `${text.slice(0, LOG_VALUE_LIMIT)}…(+${text.length - LOG_VALUE_LIMIT})` : text;
  return JSON.stringify(cut).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
};
