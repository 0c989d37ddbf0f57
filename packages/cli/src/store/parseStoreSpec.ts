import { isAbsolute, resolve } from 'node:path';
import { CliError } from '../CliError.js';

/** A `--store` value, parsed. */
export type StoreSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly filename: string }
  /** `namespace` is the URL's `#fragment`: the Redis key prefix (default `callperm`). */
  | { readonly kind: 'redis'; readonly url: string; readonly namespace: string | null }
  /** `namespace` is the URL's `#fragment`: the PostgreSQL schema (default `callperm`). */
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly namespace: string | null };

const splitFragment = (spec: string): [string, string | null] => {
  const at = spec.indexOf('#');
  return at < 0 ? [spec, null] : [spec.slice(0, at), decodeURIComponent(spec.slice(at + 1)) || null];
};

/**
 * Reads a `--store` value: `memory`, `sqlite:FILE` (relative to `cwd`),
 * `redis://…` / `rediss://…` or `postgres://…` / `postgresql://…`. A `#name`
 * after a URL picks the Redis key prefix or the PostgreSQL schema.
 *
 * @example
 * parseStoreSpec('sqlite:.callperm/sim.sqlite', '/home/me'); // { kind: 'sqlite', filename: '/home/me/.callperm/sim.sqlite' }
 * parseStoreSpec('redis://127.0.0.1:6379#sim7', '/'); // { kind: 'redis', url: 'redis://127.0.0.1:6379', namespace: 'sim7' }
 */
export const parseStoreSpec = (spec: string, cwd: string): StoreSpec => {
  if (spec === 'memory') return { kind: 'memory' };
  if (spec.startsWith('sqlite:')) {
    const file = spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new CliError('usage', 'Give the SQLite file after the colon, e.g. --store sqlite:callperm.sqlite.');
    return { kind: 'sqlite', filename: isAbsolute(file) ? file : resolve(cwd, file) };
  }
  const [url, namespace] = splitFragment(spec);
  if (/^rediss?:\/\//.test(url)) return { kind: 'redis', url, namespace };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', connectionString: url, namespace };
  throw new CliError('usage', `Unknown store ${JSON.stringify(spec)}: use memory, sqlite:FILE, redis://HOST:PORT or postgres://USER@HOST/DB.`);
};

/**
 * The spec as a printable label, without any password in a URL.
 *
 * @example
 * describeStore({ kind: 'postgres', connectionString: 'postgres://u:secret@h/db', namespace: null }); // 'postgres://u:***@h/db'
 */
export const describeStore = (spec: StoreSpec): string => {
  switch (spec.kind) {
    case 'memory': return 'memory';
    case 'sqlite': return `sqlite:${spec.filename}`;
    case 'redis': return `${spec.url.replace(/:[^:@/]*@/, ':***@')}${spec.namespace ? `#${spec.namespace}` : ''}`;
    case 'postgres': return `${spec.connectionString.replace(/:[^:@/]*@/, ':***@')}${spec.namespace ? `#${spec.namespace}` : ''}`;
  }
};
