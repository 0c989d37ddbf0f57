import { isSocketFault } from '../shared/connectionFault.js';

/** Redis replies that mean "not now": loading its data, a script running too long, a failover or resharding under way. */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY) /;

/** ioredis's own errors for a connection that is closed, reconnecting, gave up, or a server that did not answer in time. */
const CONNECTION_MESSAGES = /^(Connection is closed\.|Stream isn't writeable|Reached the max retries per request limit|Cluster isn't ready|Failed to refresh slots cache|None of startup nodes is available|Command timed out)/;

/**
 * Whether an error from ioredis means the Redis server (or cluster) is
 * unreachable, went away or is not ready (so a retry later may succeed), not
 * that the command is wrong.
 *
 * @example
 * isRedisConnectionFault(new Error('Connection is closed.')); // true
 */
export const isRedisConnectionFault = (e: unknown): boolean => {
  if (!(e instanceof Error)) return false;
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true;
  return UNAVAILABLE_REPLIES.test(e.message) || CONNECTION_MESSAGES.test(e.message) || isSocketFault(e);
};
