import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'vitest';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * The secrets a canary test hands to callperm, fresh per test file; none of them
 * may come out anywhere, in any encoding. `PASSWORD` holds characters a URL
 * encodes (`+ / @ : !`), so its encoded forms differ from the raw one.
 */
export const CANARY = {
  /** A Page token shaped like Meta's (the Graph client also redacts that shape). */
  pageToken: `EAAcanary${hex(20)}`,
  /** A Page token not shaped like Meta's: only exact redaction catches it. */
  plainToken: `tok_${hex(16)}`,
  /** A WhatsApp Cloud API token (system user token). */
  whatsappToken: `EAAGwacanary${hex(20)}`,
  appSecret: `appsecret_${hex(16)}`,
  /** A store password (in the user info and in `?password=`), and the serve API token. */
  password: `pw_${hex(12)}+/@:!`,
  apiToken: `api_${hex(16)}`,
  verifyToken: `verify_${hex(12)}`,
} as const;

/** Every canary, by name. */
export const CANARIES: readonly (readonly [name: string, value: string])[] = Object.entries(CANARY);

/**
 * The spans of base64 text that encode `value` wherever it sits in a longer
 * buffer: one per alignment (0, 1 or 2 bytes before it), each trimmed to the
 * characters that depend on the value's bytes alone.
 */
const base64Forms = (value: string): string[] => {
  const bytes = Buffer.from(value, 'utf8');
  return [0, 1, 2].map((pad) => {
    const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    return text.slice(Math.ceil((pad * 8) / 6), Math.floor(((pad + bytes.length) * 8) / 6));
  });
};

/** `value` as a URL's user info carries it (the WHATWG encode set). */
const userInfoForm = (value: string): string => {
  const url = new URL('http://host/');
  url.password = value;
  return url.password;
};

/**
 * Every form a leaked canary could take: raw, percent-encoded (component, form and
 * user-info encoding), base64 and base64url at every alignment, and hex.
 *
 * @example
 * encodedForms('a+b').includes('a%2Bb'); // true
 */
export const encodedForms = (value: string): string[] => {
  const b64 = base64Forms(value);
  const forms = [
    value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), userInfoForm(value),
    ...b64, ...b64.map((s) => s.replaceAll('+', '-').replaceAll('/', '_')),
    Buffer.from(value, 'utf8').toString('hex'),
  ];
  return [...new Set(forms)];
};

const needles = CANARIES.flatMap(([name, value]) => encodedForms(value).map((form, i) => ({ name: i === 0 ? name : `${name} (encoded)`, form })));

/** The first canary found in `text`, in any form, with the 80 characters before it; null when clean. */
export const findCanary = (text: string): string | null => {
  for (const { name, form } of needles) {
    const at = text.indexOf(form);
    if (at >= 0) return `${name}: ...${text.slice(Math.max(0, at - 80), at)}<${name}>`;
  }
  return null;
};

/** Fails naming the surface and the leak when any text holds a canary in any form. */
export const expectNoCanary = (where: string, texts: readonly string[]): void => {
  const found = findCanary(texts.join('\n'));
  expect(found === null ? null : `${where}: ${found}`).toBeNull();
};

/** JSON when it can be, `inspect` otherwise. */
export const safeJson = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return inspect(v, { depth: 8 });
  }
};

/** An error with its whole cause chain, every way it can be printed (message, stack, own fields, inspect). */
export const errorTexts = (e: unknown, depth = 0): string[] => {
  if (depth > 8 || e === undefined || e === null) return [];
  if (!(e instanceof Error)) return [safeJson(e), inspect(e, { depth: 8 })];
  const own = Object.fromEntries(Object.getOwnPropertyNames(e).map((k) => [k, (e as unknown as Record<string, unknown>)[k]]));
  return [e.message, e.stack ?? '', String(e), safeJson(own), inspect(e, { depth: 8, showHidden: true }), ...errorTexts(e.cause, depth + 1)];
};

/** A pino-style logger (`CallpermLogger`) writing pino's JSON lines into `lines`. */
export const jsonLineLogger = (lines: string[]) => {
  const at = (level: number) => (fields: Record<string, unknown>, msg?: string): void => {
    lines.push(JSON.stringify({ level, time: 0, ...fields, msg }), inspect(fields, { depth: 8 }));
  };
  return { debug: at(20), info: at(30), warn: at(40), error: at(50) };
};
