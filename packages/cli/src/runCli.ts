import { CommanderError } from 'commander';
import { CliError } from './CliError.js';
import type { CliIo } from './CliIo.js';
import { createProgram } from './program.js';

/**
 * Runs one `callperm` command line and resolves to its exit code: 0 on success,
 * 2 for a usage error, 3 for missing configuration, 1 for any other failure.
 * Never rejects and never calls `process.exit`, so tests run it in-process.
 *
 * @example
 * const code = await runCli(['chart', '--format', 'dot'], processIo());
 */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version end with exit code 0; anything else commander rejects is a usage error
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      io.err(`callperm: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`callperm: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
};
