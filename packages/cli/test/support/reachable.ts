/** The CLI's tests reach Redis and PostgreSQL the same way the storage tests do: one probe for both. */
export { DATABASE_URL, REDIS_URL, serverReachable } from '../../../adapters/test/storage/servers.js';
