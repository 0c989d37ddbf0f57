/**
 * One real `callperm serve` process of the reliability tests, run by
 * {@link ServeProcess} with `node --import tsx`. It loads the CLI, the Graph client,
 * the webhook receiver and its store's driver first, then says `warm` (a spare the
 * parent can start in milliseconds after a kill); on `start` it runs
 * `runCli(['serve', ...args])` with a virtual clock the parent moves (`clock`
 * messages, each answered once set); on `stop` it shuts down as on SIGTERM. On a
 * SQLite store, `stallCommit` makes its next COMMIT write one byte to fd 4 and
 * block, so the parent's SIGKILL lands inside an open group commit.
 */
import { writeSync } from 'node:fs';
import type { Clock, Instant } from '@callperm/core';
import type { CliIo } from '../../../src/CliIo.js';
import type { runCli as RunCli } from '../../../src/runCli.js';
import { STALL_BYTE, type FromServeChild, type ServeChildConfig, type ToServeChild } from './serveChildProtocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ServeChildConfig;
const send = (m: FromServeChild): void => void process.send?.(m);

/** What `serve` will load on start, loaded now so a spare starts at once. */
const warm = async (): Promise<{ readonly runCli: typeof RunCli }> => {
  const drivers = {
    sqlite: () => [import('@callperm/adapters/storage/sqlite')],
    redis: () => [import('@callperm/adapters/storage/redis'), import('ioredis')],
    'redis-cluster': () => [import('@callperm/adapters/storage/redis'), import('ioredis')],
    postgres: () => [import('@callperm/adapters/storage/postgres'), import('pg')],
  } as const;
  const [cli] = await Promise.all([
    import('../../../src/runCli.js'),
    import('../../../src/commands/serveAction.js'),
    import('../../../src/host/metricsEndpoint.js'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-prometheus'),
    import('@callperm/adapters/graph'),
    import('@callperm/adapters/webhook'),
    ...drivers[config.driver](),
  ]);
  return cli;
};

/** Arms the COMMIT stall on better-sqlite3's `exec` (the group commit's `COMMIT`). */
const stallOnCommit = async (): Promise<() => void> => {
  const { default: Database } = await import('better-sqlite3');
  const exec = Database.prototype.exec;
  let armed = false;
  Database.prototype.exec = function stalledExec(this: InstanceType<typeof Database>, sql: string) {
    if (armed && sql === 'COMMIT') {
      armed = false;
      writeSync(4, STALL_BYTE);
      // Blocks this thread (no timer, no I/O) until the parent's SIGKILL; gives up after 10 s.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
    }
    return exec.call(this, sql);
  };
  return () => { armed = true; };
};

const main = async (): Promise<void> => {
  const { runCli } = await warm();
  const armStall = config.driver === 'sqlite' ? await stallOnCommit() : () => undefined;
  let now: Instant = 0;
  const clock: Clock = { now: () => now };
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => { stop = resolve; });
  let started!: () => void;
  const starting = new Promise<void>((resolve) => { started = resolve; });
  process.on('message', (m: ToServeChild) => {
    switch (m.type) {
      case 'start':
        now = Math.max(now, m.now);
        return started();
      case 'clock':
        now = Math.max(now, m.now);
        return send({ type: 'clock', now });
      case 'stallCommit':
        return armStall();
      case 'stop':
        return stop('SIGTERM');
    }
  });
  process.once('SIGTERM', () => stop('SIGTERM'));
  send({ type: 'warm' });
  await starting;
  const io: CliIo = {
    out: (text) => {
      for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
        const parsed = JSON.parse(line) as { listening?: string; api?: string | null };
        if (parsed.listening !== undefined) send({ type: 'listening', listening: parsed.listening, api: parsed.api ?? null });
      }
    },
    err: (text) => void process.stderr.write(text),
    env: config.env,
    cwd: config.cwd,
    isTTY: false,
    waitForStop: () => stopped,
    clock,
  };
  const code = await runCli(['serve', ...config.args], io);
  process.exitCode = code;
  process.disconnect?.();
};

await main();
