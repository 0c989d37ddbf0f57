import { GraphConfigError, graphApi, type GraphApiClient } from '@callperm/adapters/graph';
import type { Clock } from '@callperm/core';
import { CliError, MissingEnvError } from './CliError.js';

/** The environment variables the real Graph API client is configured from. */
export const graphEnv = {
  token: 'PAGE_ACCESS_TOKEN',
  appSecret: 'APP_SECRET',
  baseUrl: 'GRAPH_BASE_URL',
  apiVersion: 'GRAPH_API_VERSION',
} as const;

/**
 * Builds the Graph API client from the environment: `PAGE_ACCESS_TOKEN`
 * (required), `APP_SECRET` (adds `appsecret_proof`), `GRAPH_BASE_URL` (another
 * host, e.g. the fake Graph API in tests; `https:`, or `http:` on loopback only) and
 * `GRAPH_API_VERSION`. Throws `MissingEnvError` naming the variable when the token
 * is unset, and a `CliError` with code `bad_env` when `GRAPH_BASE_URL` is refused.
 *
 * @example
 * const graph = graphFromEnv(process.env);
 * await graph.checkPermission({ pageId: '1234', psid: '5678' });
 * graph.close();
 */
export const graphFromEnv = (env: Readonly<Record<string, string | undefined>>, clock?: Clock): GraphApiClient => {
  const accessToken = env[graphEnv.token];
  if (accessToken === undefined || accessToken === '') {
    throw new MissingEnvError(graphEnv.token, 'the Page access token callperm sends to the Graph API');
  }
  const appSecret = env[graphEnv.appSecret];
  const baseUrl = env[graphEnv.baseUrl];
  const apiVersion = env[graphEnv.apiVersion];
  try {
    return graphApi({
      accessToken,
      ...(appSecret ? { appSecret } : {}),
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiVersion ? { apiVersion } : {}),
      ...(clock ? { clock } : {}),
    });
  } catch (e) {
    if (!(e instanceof GraphConfigError) || e.option !== 'baseUrl') throw e;
    throw new CliError('bad_env', `${graphEnv.baseUrl} is refused: ${e.message} Unset it to use Meta's https://graph.facebook.com.`, { cause: e });
  }
};
