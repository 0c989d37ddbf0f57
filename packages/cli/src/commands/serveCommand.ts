import { Command } from 'commander';
import { CliError, MissingEnvError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { graphFromEnv } from '../graphFromEnv.js';
import { startHost } from '../host/startHost.js';
import { threadApi } from '../host/threadApi.js';
import { openStore } from '../store/openStore.js';
import { parseStoreSpec } from '../store/parseStoreSpec.js';

interface ServeOptions {
  readonly store: string;
  readonly port: string;
  readonly host: string;
  readonly sweepEvery: string;
}

const required = (io: CliIo, name: string, what: string): string => {
  const v = io.env[name];
  if (v === undefined || v === '') throw new MissingEnvError(name, what);
  return v;
};

/**
 * `callperm serve`: Meta's webhook receiver (`/webhook`) and a JSON API over the
 * thread records, against the real Graph API (`PAGE_ACCESS_TOKEN`, `APP_SECRET`,
 * `VERIFY_TOKEN`; `GRAPH_BASE_URL` to point it elsewhere), with `sweep` on an
 * interval. Prints one JSON line with its URLs once listening; on SIGTERM or
 * SIGINT it stops taking requests, finishes the ones in flight and closes the store.
 *
 * @example
 * await runCli(['serve', '--store', 'sqlite:callperm.sqlite', '--port', '3000'], io);
 */
export const serveCommand = (io: CliIo): Command => new Command('serve')
  .description('serve the webhook receiver and a JSON API (GET /threads/:page/:psid, POST .../request, .../refresh) against the Graph API')
  .option('--store <spec>', 'memory, sqlite:FILE, redis://HOST:PORT[#prefix], postgres://USER@HOST/DB[#schema]', 'sqlite:.callperm/callperm.sqlite')
  .option('--port <port>', 'port to listen on (0: any free port)', '3000')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--sweep-every <seconds>', 'run due follow-ups this often (0: never)', '15')
  .action(async (options: ServeOptions) => {
    const port = Number(options.port);
    const sweepSeconds = Number(options.sweepEvery);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('usage', `--port must be 0 to 65535; got ${JSON.stringify(options.port)}.`);
    if (!Number.isFinite(sweepSeconds) || sweepSeconds < 0) throw new CliError('usage', `--sweep-every must be a number of seconds; got ${JSON.stringify(options.sweepEvery)}.`);
    const appSecret = required(io, 'APP_SECRET', 'your app\'s App Secret, which signs Meta\'s webhooks');
    const verifyToken = required(io, 'VERIFY_TOKEN', 'the verify token you entered for the webhook in the App Dashboard');
    const graph = graphFromEnv(io.env);
    const spec = parseStoreSpec(options.store, io.cwd);
    const opened = await openStore(spec).catch((e: unknown) => {
      graph.close();
      throw e;
    });
    const permissions = createCliService(opened, graph);
    let host;
    try {
      host = await startHost({
        permissions, appSecret, verifyToken, port, host: options.host,
        routes: threadApi(permissions),
        onWebhookError: (e) => io.err(`webhook: ${e.code}\n`),
      });
    } catch (e) {
      graph.close();
      await opened.close();
      throw new CliError('usage', `Could not listen on ${options.host}:${port} (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
    }
    let sweeping: Promise<unknown> = Promise.resolve();
    const name = (e: unknown): string => (e instanceof Error ? e.name : 'error');
    const timer = sweepSeconds > 0
      ? setInterval(() => {
        sweeping = sweeping.then(() => permissions.sweep({
          onError: (t, e) => io.err(`sweep ${t.pageId}:${t.psid}: ${name(e)}\n`),
          onInboxError: (key, e) => io.err(`sweep inbox ${key}: ${name(e)}\n`),
        })).catch(() => undefined);
      }, sweepSeconds * 1000)
      : undefined;
    io.out(`${JSON.stringify({ listening: host.url, webhook: `${host.url}/webhook`, store: opened.label })}\n`);
    const signal = await (io.waitForStop?.() ?? new Promise<string>(() => undefined));
    io.err(`callperm serve: ${signal}, shutting down\n`);
    clearInterval(timer);
    await sweeping;
    await host.close();
    graph.close();
    await opened.close();
  });
