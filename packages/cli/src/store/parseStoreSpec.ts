import { isAbsolute, resolve } from 'node:path';
import { CliError } from '../CliError.js';
import { parseRedisClusterUrl, type RedisNode } from './parseRedisClusterUrl.js';
import { redactStoreUrl } from './redactStoreUrl.js';

/**
 * The store `serve`, `check` and `request` use when `--store` is not given: one
 * SQLite file, so what one command learns (a reserved slot, a check, a pending
 * opt-in) is there for the next.
 */
export const DEFAULT_STORE_SPEC = 'sqlite:.callperm/callperm.sqlite';

/** A `--store` value, parsed. */
export type StoreSpec =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly filename: string }
  /**
   * `namespace` is the URL's `#fragment`: the Redis key prefix (default `callperm`).
   * `clusterNodes`: a Redis Cluster's seed nodes (`redis-cluster://`), absent for one server.
   */
  | { readonly kind: 'redis'; readonly url: string; readonly namespace: string | null; readonly clusterNodes?: readonly RedisNode[] }
  /** `namespace` is the URL's `#fragment`: the PostgreSQL schema (default `callperm`). */
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly namespace: string | null };

const splitFragment = (spec: string): [string, string | null] => {
  const at = spec.indexOf('#');
  if (at < 0) return [spec, null];
  try {
    return [spec.slice(0, at), decodeURIComponent(spec.slice(at + 1)) || null];
  } catch {
    throw new CliError('usage', 'The #name after the store URL is not valid percent-encoding: write the prefix or schema plainly, e.g. #callperm.');
  }
};

/**
 * Reads a `--store` value: `memory`, `sqlite:FILE` (relative to `cwd`),
 * `redis://…` / `rediss://…`, a Redis Cluster as `redis-cluster://HOST:PORT,HOST:PORT…`
 * (`rediss-cluster://` for TLS; see `parseRedisClusterUrl`) or `postgres://…` /
 * `postgresql://…`. A `#name` after a URL picks the Redis key prefix or the PostgreSQL schema.
 *
 * @example
 * parseStoreSpec('sqlite:.callperm/sim.sqlite', '/home/me'); // { kind: 'sqlite', filename: '/home/me/.callperm/sim.sqlite' }
 * parseStoreSpec('redis://127.0.0.1:6379#sim7', '/'); // { kind: 'redis', url: 'redis://127.0.0.1:6379', namespace: 'sim7' }
 * parseStoreSpec('redis-cluster://127.0.0.1:7001,127.0.0.1:7002#sim7', '/').clusterNodes; // [{ host: '127.0.0.1', port: 7001 }, { host: '127.0.0.1', port: 7002 }]
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
  if (/^rediss?-cluster:\/\//.test(url)) return { kind: 'redis', url, namespace, clusterNodes: parseRedisClusterUrl(url).nodes };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', connectionString: url, namespace };
  throw new CliError('usage', `Unknown store ${JSON.stringify(redactStoreUrl(spec).label)}: use memory, sqlite:FILE, redis://HOST:PORT, redis-cluster://HOST:PORT,HOST:PORT or postgres://USER@HOST/DB.`);
};

/**
 * The spec as a printable label, without any password: neither the one in the URL's
 * user info nor a password-like query parameter (`?password=`, `sslpassword=`...).
 *
 * @example
 * describeStore({ kind: 'postgres', connectionString: 'postgres://u:secret@h/db?password=secret', namespace: null }); // 'postgres://u:***@h/db?password=***'
 */
export const describeStore = (spec: StoreSpec): string => {
  switch (spec.kind) {
    case 'memory': return 'memory';
    case 'sqlite': return `sqlite:${spec.filename}`;
    case 'redis': return `${redactStoreUrl(spec.url).label}${spec.namespace ? `#${spec.namespace}` : ''}`;
    case 'postgres': return `${redactStoreUrl(spec.connectionString).label}${spec.namespace ? `#${spec.namespace}` : ''}`;
  }
};

/**
 * The secrets a spec holds (URL password, password-like query values), raw and
 * decoded, to scrub from a driver's error before it is printed.
 *
 * @example
 * storeSecrets({ kind: 'redis', url: 'redis://:s3cret@h', namespace: null }); // ['s3cret']
 */
export const storeSecrets = (spec: StoreSpec): readonly string[] => {
  switch (spec.kind) {
    case 'redis': return redactStoreUrl(spec.url).secrets;
    case 'postgres': return redactStoreUrl(spec.connectionString).secrets;
    default: return [];
  }
};
