import fc from 'fast-check';

/**
 * One place decides how property tests run: a fixed seed under CI (replayable, the
 * same failures every time), a fresh one locally, and `FC_NUM_RUNS` to go deeper.
 * A failing property prints `{ seed, path }`; rerun with `FC_SEED=<seed>` to replay.
 */
const fromEnv = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
};

const seed = fromEnv('FC_SEED') ?? (process.env.CI ? 20261127 : undefined);
const numRuns = fromEnv('FC_NUM_RUNS');

fc.configureGlobal({
  ...(seed === undefined ? {} : { seed }),
  ...(numRuns === undefined ? {} : { numRuns }),
});
