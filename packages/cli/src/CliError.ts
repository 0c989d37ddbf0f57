/** Why a command stopped, as a code a script can switch on. */
export type CliErrorCode =
  | 'usage' // bad arguments or options
  | 'missing_env' // a required environment variable is unset
  | 'bad_env' // an environment variable is set to something unusable (GRAPH_BASE_URL over http:, ...)
  | 'graph_failure' // Meta (or the fake) answered with an error
  | 'refused' // the service declined (quota, window, pending reply...)
  | 'store' // the store could not be opened or read
  | 'relay' // the inspection relay could not connect
  | 'violations'; // a simulation broke an invariant

/** The exit code of each failure: 2 for usage, 3 for configuration, 1 otherwise. */
export const exitCodes: Readonly<Record<CliErrorCode, number>> = {
  usage: 2,
  missing_env: 3,
  bad_env: 3,
  graph_failure: 1,
  refused: 1,
  store: 1,
  relay: 1,
  violations: 1,
};

/**
 * A failure a command reports and exits on. The message says what to do next;
 * `code` and `exitCode` are for scripts and tests.
 *
 * @example
 * throw new CliError('usage', 'Give the thread as PAGE:PSID, e.g. --thread 1234:5678.');
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(readonly code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCodes[code];
  }
}

/**
 * A required environment variable is unset; `variable` names it.
 *
 * @example
 * if (!env.PAGE_ACCESS_TOKEN) throw new MissingEnvError('PAGE_ACCESS_TOKEN', 'a Page access token from Meta');
 */
export class MissingEnvError extends CliError {
  constructor(readonly variable: string, what: string) {
    super('missing_env', `${variable} is not set. Export ${variable} (${what}) and run the command again.`);
    this.name = 'MissingEnvError';
  }
}
