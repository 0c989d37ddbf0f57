/**
 * The public edge's success-or-failure value: a discriminated union, so callers
 * branch on `ok` and never need try/catch for a domain outcome.
 *
 * @example
 * const r: Result<number, { reason: 'nope' }> = ok(1);
 * if (r.ok) console.log(r.value);
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a success. */
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

/** Wraps a failure. */
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
