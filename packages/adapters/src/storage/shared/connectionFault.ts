/** Node's socket errors that mean the server is not there (or went away). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * Whether `e` (or an error in its `cause` chain, or inside an AggregateError,
 * as Node's happy-eyeballs connect gives) is a socket error that means the
 * server is unreachable or dropped the connection.
 *
 * @example
 * isSocketFault(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // true
 */
export const isSocketFault = (e: unknown, depth = 0): boolean => {
  if (!(e instanceof Error) || depth > 4) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (e instanceof AggregateError && e.errors.some((inner) => isSocketFault(inner, depth + 1))) return true;
  return isSocketFault(e.cause, depth + 1);
};
