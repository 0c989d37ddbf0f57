import { Command } from 'commander';
import type { CliIo } from '../CliIo.js';
import { DEFAULT_STORE_SPEC } from '../store/parseStoreSpec.js';

/** `callperm serve`'s options, as commander parses them. */
export interface ServeOptions {
  readonly store: string;
  readonly port: string;
  readonly host: string;
  readonly sweepEvery: string;
  readonly apiHost?: string;
  readonly apiPort?: string;
  readonly apiAllowedHost: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `callperm serve`: Meta's webhook receiver (`/webhook`) and a JSON API over the
 * thread records, against the real Graph API (`PAGE_ACCESS_TOKEN`, `APP_SECRET`,
 * `VERIFY_TOKEN`; `GRAPH_BASE_URL` to point it elsewhere), with `sweep` on an
 * interval. The API is on only with `CALLPERM_API_TOKEN` (callers send it as a
 * bearer token); `--api-host`/`--api-port` give it a listener of its own
 * (loopback by default; a non-loopback one needs the token). Prints one JSON line
 * with its URLs once listening; on SIGTERM or SIGINT it stops taking requests,
 * finishes the ones in flight and closes the store. The work is in
 * `serveAction`, loaded when the command runs.
 *
 * @example
 * await runCli(['serve', '--store', 'sqlite:callperm.sqlite', '--port', '3000'], io);
 */
export const serveCommand = (io: CliIo): Command => new Command('serve')
  .description('serve the webhook receiver and a JSON API (GET /threads/:page/:psid, POST .../request, .../refresh) against the Graph API')
  .option('--store <spec>', 'memory, sqlite:FILE, redis://HOST:PORT[#prefix], redis-cluster://HOST:PORT,HOST:PORT[#prefix] (a Redis Cluster), postgres://USER@HOST/DB[#schema]', DEFAULT_STORE_SPEC)
  .option('--port <port>', 'port to listen on (0: any free port)', '3000')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--sweep-every <seconds>', 'run due follow-ups this often (0: never)', '15')
  .option('--api-host <address>', 'serve the JSON API on a listener of its own at this address (default 127.0.0.1 when --api-port is given)')
  .option('--api-port <port>', 'serve the JSON API on a listener of its own on this port (0: any free port)')
  .option('--api-allowed-host <name>', 'accept this Host header on the API (name or name:port, e.g. a reverse proxy\'s); repeatable', collect, [])
  .action(async (options: ServeOptions) => {
    const { serveAction } = await import('./serveAction.js');
    await serveAction(io, options);
  });
