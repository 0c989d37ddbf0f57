import { channelGraphApi, GraphConfigError, graphApi, whatsappGraphApi } from '@callperm/adapters/graph';
import type { Clock, GraphApi } from '@callperm/core';
import { CliError, MissingEnvError } from './CliError.js';

/** The environment variables the real Graph API clients are configured from. */
export const graphEnv = {
  token: 'PAGE_ACCESS_TOKEN',
  whatsappToken: 'WHATSAPP_ACCESS_TOKEN',
  whatsappNumbers: 'WHATSAPP_NUMBERS',
  appSecret: 'APP_SECRET',
  baseUrl: 'GRAPH_BASE_URL',
  apiVersion: 'GRAPH_API_VERSION',
} as const;

/** The Graph API as the CLI uses it: the port, and a way to close its sockets. */
export interface CliGraph extends GraphApi {
  close(): void;
}

const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** `WHATSAPP_NUMBERS`: phone-number ids separated by commas (spaces allowed). */
const numbersOf = (raw: string | undefined): Set<string> => {
  const ids = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = ids.find((s) => !/^[0-9]{1,32}$/.test(s));
  if (bad !== undefined) throw new CliError('bad_env', `${graphEnv.whatsappNumbers} must list phone-number ids (digits) separated by commas; got ${JSON.stringify(bad)}.`);
  return new Set(ids);
};

/**
 * Builds the Graph API clients from the environment: `PAGE_ACCESS_TOKEN` for
 * Messenger threads and `WHATSAPP_ACCESS_TOKEN` for WhatsApp ones (at least one is
 * required; with both, each call goes by the thread's channel, and the calls that
 * name only an id go to WhatsApp for the ids in `WHATSAPP_NUMBERS`), `APP_SECRET`
 * (adds `appsecret_proof`), `GRAPH_BASE_URL` (another host, e.g. the fake Graph API
 * in tests; `https:`, or `http:` on loopback only) and `GRAPH_API_VERSION`. Throws
 * `MissingEnvError` naming the variable when no token is set, and a `CliError` with
 * code `bad_env` when `GRAPH_BASE_URL` or `WHATSAPP_NUMBERS` is refused.
 *
 * @example
 * const graph = graphFromEnv(process.env);
 * await graph.checkPermission({ pageId: '1234', psid: '5678' });
 * graph.close();
 */
export const graphFromEnv = (env: Readonly<Record<string, string | undefined>>, clock?: Clock): CliGraph => {
  const pageToken = set(env[graphEnv.token]);
  const whatsappToken = set(env[graphEnv.whatsappToken]);
  if (pageToken === undefined && whatsappToken === undefined) {
    throw new MissingEnvError(graphEnv.token, `the Page access token callperm sends to the Graph API (or ${graphEnv.whatsappToken} for WhatsApp business numbers)`);
  }
  const numbers = numbersOf(env[graphEnv.whatsappNumbers]);
  const appSecret = set(env[graphEnv.appSecret]);
  const baseUrl = set(env[graphEnv.baseUrl]);
  const apiVersion = set(env[graphEnv.apiVersion]);
  const shared = { ...(appSecret ? { appSecret } : {}), ...(baseUrl ? { baseUrl } : {}), ...(apiVersion ? { apiVersion } : {}), ...(clock ? { clock } : {}) };
  const opened: CliGraph[] = [];
  try {
    const messenger = pageToken === undefined ? undefined : graphApi({ accessToken: pageToken, ...shared });
    if (messenger) opened.push(messenger);
    const whatsapp = whatsappToken === undefined ? undefined : whatsappGraphApi({ accessTokens: whatsappToken, ...shared });
    if (whatsapp) opened.push(whatsapp);
    if (messenger === undefined || whatsapp === undefined) return (messenger ?? whatsapp)!;
    return { ...channelGraphApi({ messenger, whatsapp, whatsappNumbers: numbers }), close: () => { messenger.close(); whatsapp.close(); } };
  } catch (e) {
    for (const client of opened) client.close();
    if (!(e instanceof GraphConfigError) || e.option !== 'baseUrl') throw e;
    throw new CliError('bad_env', `${graphEnv.baseUrl} is refused: ${e.message} Unset it to use Meta's https://graph.facebook.com.`, { cause: e });
  }
};
