import { CliError } from '../CliError.js';

/** One seed node of a Redis Cluster. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** A `redis-cluster://` URL, read. */
export interface RedisClusterUrl {
  /** The nodes the client asks for the cluster's layout first (it finds the others itself). */
  readonly nodes: readonly RedisNode[];
  readonly username: string | null;
  readonly password: string | null;
  /** `rediss-cluster://`: every node over TLS. */
  readonly tls: boolean;
}

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new CliError('usage', 'The user or password in the Redis Cluster URL is not valid percent-encoding.');
  }
};

const node = (text: string): RedisNode => {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (m === null || !(port > 0 && port <= 65535)) {
    throw new CliError('usage', `A Redis Cluster node must be HOST:PORT; got ${JSON.stringify(text)} (e.g. redis-cluster://10.0.0.1:7000,10.0.0.2:7000).`);
  }
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
};

/**
 * Reads `redis-cluster://[user:password@]HOST:PORT[,HOST:PORT...]` (or
 * `rediss-cluster://` for TLS): a Redis Cluster named by some of its nodes.
 * Throws a `CliError` with code `usage` for anything else.
 *
 * @example
 * parseRedisClusterUrl('redis-cluster://:s3cret@127.0.0.1:7001,127.0.0.1:7002').nodes; // [{ host: '127.0.0.1', port: 7001 }, { host: '127.0.0.1', port: 7002 }]
 */
export const parseRedisClusterUrl = (url: string): RedisClusterUrl => {
  const m = /^(rediss?)-cluster:\/\/(.*)$/.exec(url);
  if (m === null) throw new CliError('usage', 'A Redis Cluster URL starts with redis-cluster:// (or rediss-cluster:// for TLS).');
  const rest = m[2]!.replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const userInfo = at < 0 ? null : rest.slice(0, at);
  const colon = userInfo === null ? -1 : userInfo.indexOf(':');
  const user = userInfo === null ? '' : decoded(colon < 0 ? userInfo : userInfo.slice(0, colon));
  const password = userInfo === null || colon < 0 ? null : decoded(userInfo.slice(colon + 1));
  const hosts = rest.slice(at + 1);
  if (hosts === '') throw new CliError('usage', 'Name at least one node of the Redis Cluster, e.g. redis-cluster://10.0.0.1:7000.');
  return { nodes: hosts.split(',').map(node), username: user === '' ? null : user, password: password === '' ? null : password, tls: m[1] === 'rediss' };
};
