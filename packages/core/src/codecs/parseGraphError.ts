import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { ok } from '../result.js';
import type { Result } from '../result.js';
import type { DecodeReport } from './DecodeReport.js';
import { decodeWith } from './decodeWith.js';

/**
 * Meta's error object, camel-cased. Only `code` and `message` are always there;
 * the other members are present when Meta sent them with the documented type.
 *
 * @example
 * const e: MetaError = { message: 'Outside the allowed window', code: 10, subcode: 2018278, fbtraceId: 'AbC' };
 */
export interface MetaError {
  readonly message: string;
  readonly code: number;
  /** `type`, e.g. `OAuthException`. */
  readonly type?: string;
  /** `error_subcode`. */
  readonly subcode?: number;
  /** `error_user_title`: a title Meta suggests showing to a person. */
  readonly userTitle?: string;
  /** `error_user_msg`: a message Meta suggests showing to a person. */
  readonly userMessage?: string;
  /** `fbtrace_id`: a short-lived id for Meta support. */
  readonly fbtraceId?: string;
  /** `is_transient`: Meta's hint that retrying may work. */
  readonly isTransient?: boolean;
  /** `error_data`, passed through untouched (an object or a string, depending on the API). */
  readonly errorData?: unknown;
}

/** An error code: an integer, or an integer written as a string. */
const Code = new t.Type<number, number, unknown>(
  'ErrorCode',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => {
    const n = typeof u === 'string' && /^\s*-?\d+\s*$/.test(u) ? Number(u) : u;
    return typeof n === 'number' && Number.isSafeInteger(n) ? t.success(n) : t.failure(u, c);
  },
  (a) => a,
);

const GraphErrorBody = t.type({
  error: t.intersection([
    t.type({ message: t.string, code: Code }),
    t.partial({ error_subcode: t.unknown, type: t.unknown, error_user_title: t.unknown, error_user_msg: t.unknown,
      fbtrace_id: t.unknown, is_transient: t.unknown, error_data: t.unknown }),
  ], 'GraphError'),
}, 'GraphErrorBody');

const str = (u: unknown): string | undefined => (typeof u === 'string' ? u : undefined);

/**
 * Decodes Meta's error body `{"error":{message, type, code, error_subcode,
 * error_user_title, error_user_msg, fbtrace_id, is_transient, error_data}}` into a
 * {@link MetaError}. `code` and `message` are required; an optional member of the
 * wrong type is dropped rather than failing the whole error.
 *
 * @example
 * const r = parseGraphError({ error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
 * if (r.ok) r.value.code; // 190
 */
export const parseGraphError = (json: unknown): Result<MetaError, DecodeReport> => {
  const decoded = decodeWith('graph_error', GraphErrorBody, json);
  if (!decoded.ok) return decoded;
  const e = decoded.value.error;
  const subcode = Code.decode(e.error_subcode);
  const fields: { -readonly [K in keyof MetaError]: MetaError[K] } = { message: e.message, code: e.code };
  if (isRight(subcode)) fields.subcode = subcode.right;
  const type = str(e.type);
  if (type !== undefined) fields.type = type;
  const userTitle = str(e.error_user_title);
  if (userTitle !== undefined) fields.userTitle = userTitle;
  const userMessage = str(e.error_user_msg);
  if (userMessage !== undefined) fields.userMessage = userMessage;
  const fbtraceId = str(e.fbtrace_id);
  if (fbtraceId !== undefined) fields.fbtraceId = fbtraceId;
  if (typeof e.is_transient === 'boolean') fields.isTransient = e.is_transient;
  if (e.error_data !== undefined) fields.errorData = e.error_data;
  return ok(fields);
};
