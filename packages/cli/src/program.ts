import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { CliIo } from './CliIo.js';
import { chartCommand } from './commands/chartCommand.js';
import { checkCommand } from './commands/checkCommand.js';
import { inboxCommand } from './commands/inboxCommand.js';
import { inspectCommand } from './commands/inspectCommand.js';
import { requestCommand } from './commands/requestCommand.js';
import { serveCommand } from './commands/serveCommand.js';
import { simulateCommand } from './commands/simulateCommand.js';

const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
};

/**
 * The `callperm` command tree on commander, writing through `io` and throwing
 * instead of exiting (see `runCli`).
 *
 * @example
 * await createProgram(io).parseAsync(['chart', '--format', 'dot'], { from: 'user' });
 */
export const createProgram = (io: CliIo): Command => {
  const program = new Command('callperm')
    .description('Messenger business-calling permissions: simulate, draw, serve, check and request')
    .version(version())
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  for (const command of [simulateCommand(io), chartCommand(io), serveCommand(io), checkCommand(io), requestCommand(io), inspectCommand(io), inboxCommand(io)]) {
    program.addCommand(command.configureOutput({ writeOut: io.out, writeErr: io.err }).showHelpAfterError().exitOverride());
  }
  return program;
};
