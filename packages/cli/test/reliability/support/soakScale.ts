import fc from 'fast-check';

/** `CALLPERM_SOAK=1`: the reliability tests run at ten times their size and length. */
export const SOAK = process.env.CALLPERM_SOAK === '1';

/** 10 under `CALLPERM_SOAK=1`, else 1. */
export const soakScale = SOAK ? 10 : 1;

/**
 * The seed of a reliability run: fast-check's global seed (`FC_SEED`, fixed under
 * CI), else a fresh one. Print it: `FC_SEED=<seed>` replays the run's choices (which
 * kill where, when people answer, which host gets what); the moments a kill lands
 * inside a process are wall-clock timing and vary.
 *
 * @example
 * const seed = runSeed(); // e.g. 20261127 under CI
 */
export const runSeed = (): number => fc.readConfigureGlobal().seed ?? Math.floor(Math.random() * 2 ** 31);
