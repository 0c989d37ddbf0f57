import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fakeMetaErrors, type FakeFault } from '@callperm/testing';
import type { CliIo } from '../../../src/CliIo.js';
import { createProgram } from '../../../src/program.js';
import { DATABASE_URL, REDIS_URL, removeStalePostgresSchemas, removeStaleRedisKeys, runTag } from '../../support/reachable.js';
import { CANARY, errorTexts } from './canaryScan.js';

/**
 * A canary test file's own PostgreSQL schemas and Redis key prefixes:
 * `<prefix>_<runTag>...`. `setUp` removes what killed runs of the same prefix
 * left (over an hour old); `tearDown` removes this run's.
 *
 * @example
 * const ns = canaryNamespaces('canarysvc', { postgres: true, redis: true });
 * beforeAll(ns.setUp);
 * afterAll(ns.tearDown);
 */
export const canaryNamespaces = (prefix: string, up: { readonly postgres: boolean; readonly redis: boolean }) => {
  const namespace = `${prefix}_${runTag()}`;
  return {
    namespace,
    setUp: async (): Promise<void> => {
      if (up.postgres) await removeStalePostgresSchemas(prefix);
      if (up.redis) await removeStaleRedisKeys(prefix);
    },
    tearDown: async (): Promise<void> => {
      if (up.postgres) {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        try {
          const { rows } = await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1', [`${namespace}%`]);
          for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
        } finally {
          await client.end();
        }
      }
      if (up.redis) {
        const { Redis } = await import('ioredis');
        const client = new Redis(REDIS_URL);
        for await (const keys of client.scanStream({ match: `*${namespace}*`, count: 1000 }) as AsyncIterable<string[]>) {
          if (keys.length > 0) await client.unlink(...keys);
        }
        client.disconnect();
      }
    },
  };
};

/** A PostgreSQL URL with the canary password in the user info and in the query (local trust auth ignores it). */
export const postgresUrl = (schema: string): string => {
  const url = new URL(DATABASE_URL);
  url.password = CANARY.password;
  url.searchParams.set('password', CANARY.password);
  return `${url.toString()}#${schema}`;
};

/** A Redis URL with the canary password (a server without one only warns that it was given one). */
export const redisUrl = (prefix: string): string => {
  const url = new URL(REDIS_URL);
  url.password = CANARY.password;
  return `${url.toString().replace(/\/$/, '')}#${prefix}`;
};

/** Meta answers that echo the token and app secret back (errors, 5xx pages), throttle, reset and garble. */
export const echoingFaults = (token: string): FakeFault[] => {
  const secret = CANARY.appSecret;
  return [
    { kind: 'error', status: 400, body: { error: { message: `Malformed access token ${token}`, type: 'OAuthException', code: 190, error_user_msg: `secret ${secret}`, error_data: { token, secret, list: [token, secret] } } } },
    { kind: 'error', status: 500, body: { error: { message: `(#1) ${secret} ${token}`, type: 'OAuthException', code: 1, is_transient: true } } },
    { kind: 'status', status: 502, body: `<html>${token} ${secret} ${CANARY.password}</html>` },
    { kind: 'error', body: fakeMetaErrors.messengerThrottled },
    { kind: 'reset', after: true },
    { kind: 'malformed' },
  ];
};

/** Runs a command through commander as `runCli` does, but keeps the error it throws (a CliError and its causes). */
export const thrownBy = async (args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ error: unknown; texts: string[] }> => {
  const texts: string[] = [];
  const io: CliIo = { out: (t) => texts.push(t), err: (t) => texts.push(t), env, cwd, isTTY: false };
  try {
    await createProgram(io).parseAsync([...args], { from: 'user' });
    return { error: null, texts };
  } catch (e) {
    return { error: e, texts: [...texts, ...errorTexts(e)] };
  }
};

/** Every file under `dir` (reports, charts, SQLite files with their WAL), as latin1 text. */
export const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, 'latin1'));

