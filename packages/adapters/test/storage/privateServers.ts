import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Private PostgreSQL and Redis servers a test may stop and restart at will (the
 * shared ones on 5432 and 6379 serve other suites at the same time and must
 * never be stopped). Each lives in a temp dir named `callperm-private-KIND-*`
 * holding its data, its log, `owner.pid` (the test process) and `server.pid`
 * (the server's process, the leader of its own process group); a later run
 * removes the dirs whose owner is gone and kills their servers
 * ({@link removeStalePrivateServers}).
 */

/** The prefix of every private server's temp dir. */
export const PRIVATE_SERVER_PREFIX = 'callperm-private-';

/** How a store is stopped: `kill` is SIGKILL to the server and every process it runs at once (a crash: nothing is flushed); `fast` is its own clean shutdown. */
export type StopMode = 'kill' | 'fast';

/** A private server on loopback: stop it, start it again on the same data and port, remove it. */
export interface PrivateServer {
  readonly kind: 'postgres' | 'redis';
  /** The connection URL (PostgreSQL: its `postgres` database, trust auth). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Whether the server process is running now. */
  readonly running: () => boolean;
  /** Stops the server (default `kill`) and resolves once its processes are gone. */
  stop(mode?: StopMode): Promise<void>;
  /** Starts it again on the same data and port; resolves once it answers. */
  start(): Promise<void>;
  /** Kills it and deletes its dir. */
  remove(): Promise<void>;
  /** SIGSTOPs every process of the server: it hangs with its connections open (a stuck disk, a paused VM). */
  freeze(): void;
  /** SIGCONTs them: it answers again, the commands sent meanwhile first. */
  thaw(): void;
}

const READY_WITHIN_MS = 60_000;
const POLL_MS = 50;
const live = new Set<PrivateServer & { readonly killNow: () => void }>();
process.once('exit', () => {
  for (const s of live) s.killNow();
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readPid = (file: string): number | null => {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
};

/** Whether `pid` is a server of `dir`: both servers run with their working directory inside it. */
const servesDir = (pid: number, dir: string): boolean => {
  try {
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
  } catch {
    return false;
  }
};

/** Live (not zombie) processes from /proc: pid, parent pid and process group. */
const liveProcesses = (): { pid: number; ppid: number; pgrp: number }[] => readdirSync('/proc').flatMap((entry) => {
  if (!/^\d+$/.test(entry)) return [];
  try {
    // /proc/PID/stat: "pid (comm) state ppid pgrp ...": comm may hold spaces, so read after its closing parenthesis.
    const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? [] : [{ pid: Number(entry), ppid: Number(ppid), pgrp: Number(pgrp) }];
  } catch {
    return []; // it exited while we looked
  }
});

/**
 * The server `pid` and every live process it runs: its process group and its
 * children (PostgreSQL's backends each lead a session of their own, so the
 * group alone misses them).
 */
const serverTree = (pid: number): number[] =>
  liveProcesses().filter((p) => p.pid === pid || p.pgrp === pid || p.ppid === pid).map((p) => p.pid);

/** SIGKILL to the server and all its processes at once: a crash, as when the machine or the OOM killer takes it. */
const killTree = (pid: number): number[] => {
  const tree = serverTree(pid);
  for (const target of [-pid, ...tree]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return tree;
};

/**
 * Removes the private-server dirs left by test runs that were killed (their
 * `owner.pid` is no longer alive), first killing the server each one names in
 * `server.pid` when that process still runs in the dir. Returns how many dirs it removed.
 *
 * @example
 * removeStalePrivateServers(); // 0 after a clean run
 */
export const removeStalePrivateServers = (): number => {
  let removed = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PRIVATE_SERVER_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = readPid(join(dir, 'owner.pid'));
    if (owner !== null && isAlive(owner)) continue;
    const server = readPid(join(dir, 'server.pid'));
    if (server !== null && servesDir(server, dir)) killTree(server);
    rmSync(dir, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
};

/** Ports private servers take: below Linux's ephemeral range (32768-60999), which outgoing connections draw from. */
const PORT_RANGE = [20_000, 32_000] as const;

const canListen = (port: number): Promise<boolean> => new Promise((resolve) => {
  const server = createServer();
  server.once('error', () => resolve(false));
  server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
});

/**
 * A free loopback port outside the ephemeral range. A server's port must stay
 * free while it is down: an ephemeral one may meanwhile be taken as the local
 * port of some outgoing connection (the restart then cannot bind), or even of a
 * client reconnecting to it, which then talks to itself (TCP self-connect).
 * Also the port of a server that was never there (a store that never connects).
 */
export const freePort = async (): Promise<number> => {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = PORT_RANGE[0] + Math.floor(Math.random() * (PORT_RANGE[1] - PORT_RANGE[0]));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORT_RANGE.join('-')}`);
};

/** The first of `candidates` that exists, or null. */
const firstExisting = (candidates: readonly string[]): string | null => candidates.find((c) => existsSync(c)) ?? null;

/** The directory of PostgreSQL's server binaries (`initdb`, `postgres`), or null. */
const postgresBin = (): string | null => {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const dirs = [...versions.map((v) => `/usr/lib/postgresql/${v}/bin`), '/usr/local/bin', '/usr/bin'];
  return dirs.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'))) ?? null;
};

const redisBin = (): string | null => firstExisting(['/usr/bin/redis-server', '/usr/local/bin/redis-server']);

/**
 * Whether a private server of `kind` can be started here (its binaries exist).
 * Under `CI` a missing binary fails the run (throws); elsewhere the suite skips,
 * with one line saying what to install.
 */
export const privateServerAvailable = (kind: 'postgres' | 'redis'): boolean => {
  const found = kind === 'postgres' ? postgresBin() : redisBin();
  if (found !== null) return true;
  const what = kind === 'postgres' ? 'PostgreSQL server binaries (initdb, postgres)' : 'redis-server';
  if (process.env.CI) throw new Error(`${what} not found (CI requires them for the private-server suites)`);
  console.warn(`[callperm tests] skipping the private ${kind} suites: install ${what}.`);
  return false;
};

/** The uid and gid to run PostgreSQL as: `postgres` when we are root (initdb refuses root), else ourselves. */
const postgresUser = (): { uid: number; gid: number } | null => {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
};

/** Polls `probe` until it resolves true, the process exits (false), or the deadline passes (throws). */
const waitReady = async (probe: () => Promise<boolean>, exited: () => boolean, what: string): Promise<boolean> => {
  const deadline = performance.now() + READY_WITHIN_MS;
  while (performance.now() < deadline) {
    if (exited()) return false;
    if (await probe().catch(() => false)) return true;
    await delay(POLL_MS);
  }
  throw new Error(`${what} did not answer within ${READY_WITHIN_MS} ms`);
};

const probePostgres = async (url: string): Promise<boolean> => {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
};

const probeRedis = async (url: string): Promise<boolean> => {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG'; // LOADING (replaying the AOF) rejects: not ready yet
  } finally {
    client.disconnect();
  }
};

/** How one kind of server is run: its command line, how it answers, and its clean-shutdown signal. */
interface ServerRecipe {
  readonly kind: 'postgres' | 'redis';
  readonly url: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly user: { uid: number; gid: number } | null;
  readonly fastSignal: NodeJS.Signals;
  readonly probe: () => Promise<boolean>;
}

/** Runs a recipe's server as the leader of its own process group (so `kill` takes every process of it). */
const managedServer = (recipe: ServerRecipe, dir: string, port: number): PrivateServer & { readonly killNow: () => void } => {
  let child: ChildProcess | null = null;
  let exit: Promise<void> = Promise.resolve();
  const log = join(dir, 'server.log');

  const spawnOnce = (): ChildProcess => {
    const out = openSync(log, 'a');
    if (recipe.user) chownSync(log, recipe.user.uid, recipe.user.gid);
    try {
      const proc = spawn(recipe.command, recipe.args, {
        cwd: recipe.cwd, detached: true, stdio: ['ignore', out, out],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
        ...(recipe.user ?? {}),
      });
      proc.on('error', () => undefined);
      return proc;
    } finally {
      closeSync(out);
    }
  };

  /** Signals the server's process group (it leads its own: `detached`). */
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child?.pid !== undefined && server.running()) process.kill(-child.pid, signal);
  };
  const server = {
    kind: recipe.kind, url: recipe.url, port, dir,
    running: () => child !== null && child.exitCode === null && child.signalCode === null,
    killNow: () => {
      if (child?.pid !== undefined && server.running()) killTree(child.pid);
    },
    async start(): Promise<void> {
      if (server.running()) return;
      const deadline = performance.now() + READY_WITHIN_MS;
      for (;;) {
        const proc = spawnOnce();
        child = proc;
        exit = new Promise((resolve) => proc.once('exit', () => resolve()));
        if (proc.pid !== undefined) writeFileSync(join(dir, 'server.pid'), `${proc.pid}\n`);
        const exited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
        if (await waitReady(recipe.probe, exited, `the private ${recipe.kind} on port ${port}`)) return;
        // It exited at once: after a kill, PostgreSQL refuses to start while a dying backend holds its shared memory.
        if (performance.now() > deadline) throw new Error(`the private ${recipe.kind} keeps exiting: see ${log}`);
        await delay(200);
      }
    },
    async stop(mode: StopMode = 'kill'): Promise<void> {
      const proc = child;
      if (proc?.pid === undefined || !server.running()) return;
      const tree = mode === 'kill' ? killTree(proc.pid) : (proc.kill(recipe.fastSignal), []);
      await exit;
      await waitGone(tree);
    },
    freeze: () => signalGroup('SIGSTOP'),
    thaw: () => signalGroup('SIGCONT'),
    async remove(): Promise<void> {
      server.thaw(); // a frozen server ignores SIGTERM until it runs again
      await server.stop('kill');
      live.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(server);
  return server;
};

/** Resolves once none of `pids` is alive (killing them again meanwhile); a backend that missed the first SIGKILL is not left serving. */
const waitGone = async (pids: readonly number[]): Promise<void> => {
  const deadline = performance.now() + READY_WITHIN_MS;
  for (;;) {
    const alive = new Set(liveProcesses().map((p) => p.pid));
    const left = pids.filter((p) => alive.has(p));
    if (left.length === 0) return;
    if (performance.now() > deadline) throw new Error(`processes ${left.join(', ')} outlived SIGKILL for ${READY_WITHIN_MS} ms`);
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await delay(POLL_MS);
  }
};

const newDir = (kind: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `${PRIVATE_SERVER_PREFIX}${kind}-`));
  writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);
  return dir;
};

/** Starts a new server; if it does not come up, removes it (its processes and dir) and rethrows. */
const startedOrRemoved = async (server: PrivateServer): Promise<PrivateServer> => {
  await server.start().catch(async (e: unknown) => {
    await server.remove();
    throw e;
  });
  return server;
};

/**
 * Starts a private PostgreSQL cluster: `initdb` (trust auth, as the `postgres`
 * OS user when we are root) in a new temp dir, then `postgres` on a free
 * loopback port with `fsync=on` and `synchronous_commit=on` (a commit is
 * acknowledged only once its WAL is on disk), its socket in the dir.
 *
 * @example
 * const pg = await startPrivatePostgres();
 * await pg.stop('kill'); await pg.start(); // same data, same port
 * await pg.remove();
 */
export const startPrivatePostgres = async (): Promise<PrivateServer> => {
  const bin = postgresBin();
  if (bin === null) throw new Error('PostgreSQL server binaries (initdb, postgres) not found');
  const user = postgresUser();
  const dir = newDir('postgres');
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(socket, user.uid, user.gid);
  }
  // --no-sync only skips syncing the files initdb writes (nothing here survives a machine crash anyway); the server runs with fsync on.
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-locale', '-E', 'UTF8'], {
    cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, ...(user ?? {}),
  });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const server = managedServer({
    kind: 'postgres', url, command: join(bin, 'postgres'), cwd: dir, user,
    args: ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socket}`,
      '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'full_page_writes=on', '-c', 'max_connections=60',
      '-c', 'shared_buffers=16MB', '-c', 'logging_collector=off'],
    fastSignal: 'SIGINT', // PostgreSQL's fast shutdown: ends sessions, checkpoints
    probe: () => probePostgres(url),
  }, dir, port);
  return startedOrRemoved(server);
};

/**
 * Starts a private `redis-server` in a new temp dir on a free loopback port with
 * append-only persistence: `appendonly yes`, `appendfsync always` (a write is
 * acknowledged only once it is in the AOF on disk; `everysec` may lose the last
 * second of acknowledged writes to a crash), no RDB snapshots.
 *
 * @example
 * const redis = await startPrivateRedis();
 * await redis.stop('kill'); await redis.start(); // replays the AOF
 * await redis.remove();
 */
export const startPrivateRedis = async (): Promise<PrivateServer> => {
  const bin = redisBin();
  if (bin === null) throw new Error('redis-server not found');
  const dir = newDir('redis');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const server = managedServer({
    kind: 'redis', url, command: bin, cwd: dir, user: null,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always',
      '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'server.log')],
    fastSignal: 'SIGTERM', // Redis's shutdown: fsyncs the AOF, then exits
    probe: () => probeRedis(url),
  }, dir, port);
  return startedOrRemoved(server);
};
