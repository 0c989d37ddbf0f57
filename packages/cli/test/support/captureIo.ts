import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/CliIo.js';
import { runCli } from '../../src/runCli.js';

/** An in-process `callperm` run: exit code and everything written. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch directory per test file, removed by `cleanup`. */
export const scratchDir = (): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'callperm-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

/** Runs `callperm ARGS` in-process with buffered output, `cwd` and `env` as given. */
export const cli = async (args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (s) => { stdout += s; },
    err: (s) => { stderr += s; },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTTY: false,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
};
