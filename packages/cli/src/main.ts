import { processIo } from './CliIo.js';
import { runCli } from './runCli.js';

// The `callperm` executable: the process's argv and streams, and its exit code.
// A closed pipe (`callperm inspect | head`) ends the output, not in a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await runCli(process.argv.slice(2), processIo());
