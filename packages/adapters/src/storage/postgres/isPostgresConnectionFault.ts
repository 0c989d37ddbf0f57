import { isSocketFault } from '../shared/connectionFault.js';

/**
 * SQLSTATEs that mean the server cannot serve now: class 08 (connection
 * exception), 53300 (too many connections), 57P01-57P03 (shut down by the
 * administrator, after a crash, or starting up / shutting down).
 */
const UNAVAILABLE_STATES = /^(08[0-9A-Z]{3}|53300|57P0[1-3])$/;

/** pg's own messages for a connection that ended or never opened (it gives them no code). */
const CONNECTION_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired|Connection terminated due to connection timeout)/;

/**
 * Whether an error from pg means the PostgreSQL server is unreachable, went away
 * or is restarting (so a retry later may succeed), not that the statement is wrong.
 *
 * @example
 * isPostgresConnectionFault(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })); // true
 */
export const isPostgresConnectionFault = (e: unknown): boolean => {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_STATES.test(code)) return true;
  return CONNECTION_MESSAGES.test(e.message) || isSocketFault(e);
};
