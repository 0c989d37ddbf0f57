/** How long and how widely to measure; `--long` multiplies everything. */
export interface BenchOptions {
  /** Rounds per figure (the median of these is reported). */
  readonly rounds: number;
  /** Work per round is multiplied by this. */
  readonly scale: number;
  readonly long: boolean;
  readonly redisUrl: string;
  readonly databaseUrl: string;
}

/**
 * Reads `--long`, `--rounds N`, `--scale X` and the server URLs (REDIS_URL, DATABASE_URL).
 *
 * @example
 * benchOptions(['--long']).rounds; // 9
 */
export const benchOptions = (argv: readonly string[]): BenchOptions => {
  const long = argv.includes('--long');
  const valueOf = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    if (i === -1) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  return {
    long,
    rounds: valueOf('--rounds') ?? (long ? 9 : 5),
    scale: valueOf('--scale') ?? (long ? 4 : 1),
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
};
