import { startPrivateRedis } from './privateServers.js';

/**
 * A test run that is killed: starts a private Redis, prints where, and SIGKILLs
 * itself, leaving the server running and its dir behind for
 * `removeStalePrivateServers` (see privateServers.test.ts).
 */
const server = await startPrivateRedis();
process.stdout.write(`${JSON.stringify({ dir: server.dir, url: server.url })}\n`, () => process.kill(process.pid, 'SIGKILL'));
