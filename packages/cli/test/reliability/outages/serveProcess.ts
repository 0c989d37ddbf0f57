import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(new URL('../../../bin/callperm.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../..', import.meta.url));
const STARTS_WITHIN_MS = 60_000;

/** A `callperm serve` child process. */
export interface ServeProcess {
  /** The listener's base URL (webhook at `/webhook`, the JSON API beside it). */
  readonly url: string;
  readonly pid: number;
  /** Everything it wrote to stderr so far, split into lines. */
  readonly stderrLines: () => readonly string[];
  /** Null while it runs; its exit code, or the signal that ended it. */
  readonly exit: () => number | NodeJS.Signals | null;
  /** Sends SIGTERM and resolves to the exit code (or signal). */
  stop(): Promise<number | NodeJS.Signals | null>;
  /** SIGKILL, for cleanup after a failed test. */
  kill(): void;
}

/**
 * Starts `callperm serve --port 0 --store <store> ...args` (the real executable,
 * through `bin/callperm.js`) with `env` on top of this process's PATH, and
 * resolves once it printed its listening line; rejects if it exits first.
 *
 * @example
 * const host = await startServeProcess('postgres://postgres@127.0.0.1:5433/postgres#outage', env, ['--sweep-every', '1']);
 * await host.stop(); // 0
 */
export const startServeProcess = async (store: string, env: Readonly<Record<string, string>>, args: readonly string[] = []): Promise<ServeProcess> => {
  const child: ChildProcess = spawn(process.execPath, [launcher, 'serve', '--port', '0', '--store', store, ...args], {
    cwd: repoRoot, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let ended: number | NodeJS.Signals | null = null;
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = code ?? signal;
      resolve(ended);
    });
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined && stdout.includes('\n')) resolve((JSON.parse(line) as { listening: string }).listening);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${String(code)} before listening: ${stderr}`)));
    setTimeout(() => reject(new Error(`serve did not listen within ${STARTS_WITHIN_MS} ms: ${stderr}`)), STARTS_WITHIN_MS).unref();
  });
  const url = await listening.catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    url,
    pid: child.pid ?? 0,
    stderrLines: () => stderr.split('\n').filter((l) => l !== ''),
    exit: () => ended,
    stop: () => {
      if (ended === null) child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (ended === null) child.kill('SIGKILL');
    },
  };
};
