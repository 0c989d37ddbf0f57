import type { Clock } from '@callperm/core';

/**
 * Where a command reads its environment and writes its output. `main` passes the
 * process's; tests pass buffers, so commands run in-process and are asserted on.
 *
 * @example
 * const lines: string[] = [];
 * const io: CliIo = { out: (s) => lines.push(s), err: () => undefined, env: {}, cwd: process.cwd(), isTTY: false };
 */
export interface CliIo {
  /** Standard output: results (JSON, charts, tables). Each call writes the text as given. */
  readonly out: (text: string) => void;
  /** Standard error: progress and diagnostics. */
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (`--out`, `sqlite:FILE`) resolve against this. */
  readonly cwd: string;
  /** Whether stderr is a terminal (draw a live progress bar) or a pipe (print milestones). */
  readonly isTTY: boolean;
  /**
   * Resolves when the process is asked to stop (SIGTERM or SIGINT), listening only
   * from the call on; `serve` waits on it. Absent: nothing will ask (tests stop otherwise).
   */
  readonly waitForStop?: () => Promise<string>;
  /**
   * What `serve` reads the time from (the service, the Graph client's throttle
   * gate). Absent: the system clock. A host embedding the CLI, or a test driving
   * virtual time through a serve process, passes its own.
   */
  readonly clock?: Clock;
}

/**
 * The process's own streams and environment.
 *
 * @example
 * const code = await runCli(process.argv.slice(2), processIo());
 */
export const processIo = (): CliIo => ({
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  waitForStop: () => new Promise<string>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }),
});
