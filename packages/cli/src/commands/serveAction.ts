import { CliError, MissingEnvError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { graphFromEnv, type CliGraph } from '../graphFromEnv.js';
import { logSafe } from '../logSafe.js';
import { isLoopbackHost } from '../host/isLoopbackHost.js';
import { startHost } from '../host/startHost.js';
import { startListener, type Listener } from '../host/startListener.js';
import { threadApi } from '../host/threadApi.js';
import { sendApiError } from '../host/apiError.js';
import { openStore } from '../store/openStore.js';
import { parseStoreSpec, type StoreSpec } from '../store/parseStoreSpec.js';
import type { ServeOptions } from './serveCommand.js';

/** The shortest `CALLPERM_API_TOKEN` accepted. */
const MIN_TOKEN_LENGTH = 16;

const parsePort = (flag: string, raw: string): number => {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('usage', `${flag} must be 0 to 65535; got ${JSON.stringify(raw)}.`);
  return port;
};

const required = (io: CliIo, name: string, what: string): string => {
  const v = io.env[name];
  if (v === undefined || v === '') throw new MissingEnvError(name, what);
  return v;
};

/**
 * What `callperm serve` does once its options are parsed (loaded only when the
 * command runs, so `callperm --help` loads no server, Graph client or store).
 *
 * @example
 * await serveAction(io, { store: 'memory', port: '0', host: '127.0.0.1', sweepEvery: '15', apiAllowedHost: [] });
 */
export const serveAction = async (io: CliIo, options: ServeOptions): Promise<void> => {
  const port = parsePort('--port', options.port);
  const sweepSeconds = Number(options.sweepEvery);
  if (!Number.isFinite(sweepSeconds) || sweepSeconds < 0) throw new CliError('usage', `--sweep-every must be a number of seconds; got ${JSON.stringify(options.sweepEvery)}.`);
  const apiToken = io.env.CALLPERM_API_TOKEN === '' ? undefined : io.env.CALLPERM_API_TOKEN;
  if (apiToken !== undefined && apiToken.length < MIN_TOKEN_LENGTH) throw new CliError('usage', `CALLPERM_API_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`).`);
  const separateApi = options.apiHost !== undefined || options.apiPort !== undefined;
  const apiHost = options.apiHost ?? '127.0.0.1';
  const apiPort = options.apiPort === undefined ? 0 : parsePort('--api-port', options.apiPort);
  if (separateApi && apiToken === undefined && !isLoopbackHost(apiHost)) {
    throw new CliError('usage', `--api-host ${apiHost} is not a loopback address: set CALLPERM_API_TOKEN, or keep the API on 127.0.0.1.`);
  }
  const appSecret = required(io, 'APP_SECRET', 'your app\'s App Secret, which signs Meta\'s webhooks');
  const verifyToken = required(io, 'VERIFY_TOKEN', 'the verify token you entered for the webhook in the App Dashboard');
  // `/metrics` (on the API, behind its token): the MeterProvider is registered before the Graph client and service are made.
  const metrics = apiToken === undefined ? null : await (await import('../host/metricsEndpoint.js')).startMetrics();
  let graph: CliGraph | undefined;
  let spec: StoreSpec;
  try {
    graph = graphFromEnv(io.env, io.clock);
    spec = parseStoreSpec(options.store, io.cwd);
  } catch (e) {
    graph?.close();
    await metrics?.close();
    throw e;
  }
  const opened = await openStore(spec).catch(async (e: unknown) => {
    graph.close();
    await metrics?.close();
    throw e;
  });
  const permissions = createCliService(opened, graph, io.clock ? { clock: io.clock } : {});
  const onRouteError = (code: string): void => io.err(`api: ${code}\n`);
  const api = threadApi(permissions, {
    token: apiToken, allowedHosts: options.apiAllowedHost, onError: onRouteError, store: opened.store, ...(metrics ? { metrics: metrics.handle } : {}),
  });
  const healthOnly = threadApi(permissions, { onError: onRouteError, store: opened.store });
  let host;
  let apiListener: Listener | undefined;
  let listening = `${options.host}:${port}`;
  try {
    host = await startHost({
      permissions, appSecret, verifyToken, port, host: options.host,
      // With a listener of its own, the API is not on the public one at all.
      routes: separateApi ? (req, res) => (/^\/(threads|calls)(\/|$)/.test(req.url ?? '') ? false : healthOnly(req, res)) : api,
      onWebhookError: (e) => io.err(`webhook: ${e.code}\n`),
      onRouteError,
    });
    listening = `${apiHost}:${apiPort}`;
    if (separateApi) {
      apiListener = await startListener((req, res) => {
        if (api(req, res)) return;
        req.resume();
        sendApiError(res, 404, 'not_found');
      }, { host: apiHost, port: apiPort, onError: onRouteError });
    }
  } catch (e) {
    await host?.close();
    graph.close();
    await opened.close();
    await metrics?.close();
    throw new CliError('usage', `Could not listen on ${listening} (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
  if (!separateApi && apiToken !== undefined && !isLoopbackHost(options.host)) {
    io.err('callperm serve: the JSON API shares the public listener; give it its own with --api-port (loopback)\n');
  }
  let sweeping: Promise<unknown> = Promise.resolve();
  const name = (e: unknown): string => (e instanceof Error ? e.name : 'error');
  const timer = sweepSeconds > 0
    ? setInterval(() => {
      sweeping = sweeping.then(() => permissions.sweep({
        onError: (t, e) => io.err(`sweep ${logSafe(t.pageId)}:${logSafe(t.psid)}: ${name(e)}\n`),
        onInboxError: (key, e) => io.err(`sweep inbox ${logSafe(key)}: ${name(e)}\n`),
      })).catch(() => undefined);
    }, sweepSeconds * 1000)
    : undefined;
  const apiUrl = apiToken === undefined ? null : (apiListener ?? host).url;
  io.out(`${JSON.stringify({ listening: host.url, webhook: `${host.url}/webhook`, api: apiUrl, store: opened.label })}\n`);
  const signal = await (io.waitForStop?.() ?? new Promise<string>(() => undefined));
  io.err(`callperm serve: ${signal}, shutting down\n`);
  clearInterval(timer);
  await sweeping;
  await Promise.all([host.close(), apiListener?.close()]);
  graph.close();
  await opened.close();
  await metrics?.close();
};
