import type { Clock } from '@callperm/core';
import type { CliIo } from '../../src/CliIo.js';
import { runCli } from '../../src/runCli.js';

/** A `callperm serve` running in-process. */
export interface Served {
  /** The main listener (the webhook). */
  readonly url: string;
  /** The JSON API's base URL, or null when it is off. */
  readonly api: string | null;
  /** Everything written to stderr so far, one entry per write. */
  readonly stderr: readonly string[];
  /** Whether the command has returned (it should not until `stop`). */
  readonly exited: () => boolean;
  /** Plays SIGTERM; resolves to the exit code. */
  readonly stop: () => Promise<number>;
}

/** Runs `callperm serve --port 0 --store sqlite:serve.sqlite --sweep-every 0 ...args` in-process with `env`, in `dir` (on `clock` when given). */
export const serveInProcess = async (env: Record<string, string>, dir: string, args: readonly string[] = [], clock?: Clock): Promise<Served> => {
  let listening!: (line: { listening: string; api: string | null }) => void;
  const ready = new Promise<{ listening: string; api: string | null }>((resolve) => { listening = resolve; });
  let signal!: (s: string) => void;
  const stopped = new Promise<string>((resolve) => { signal = resolve; });
  const stderr: string[] = [];
  const io: CliIo = {
    out: (s) => {
      const line = JSON.parse(s) as { listening?: string; api?: string | null };
      if (line.listening) listening({ listening: line.listening, api: line.api ?? null });
    },
    err: (s) => { stderr.push(s); },
    env, cwd: dir, isTTY: false, ...(clock ? { clock } : {}),
    waitForStop: () => stopped,
  };
  let exited = false;
  const done = runCli(['serve', '--port', '0', '--store', 'sqlite:serve.sqlite', '--sweep-every', '0', ...args], io).finally(() => { exited = true; });
  const line = await Promise.race([ready, done.then((code) => Promise.reject(new Error(`serve exited early with ${code}`)))]);
  return { url: line.listening, api: line.api, stderr, exited: () => exited, stop: () => { signal('SIGTERM'); return done; } };
};
