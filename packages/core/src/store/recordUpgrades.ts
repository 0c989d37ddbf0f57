import type { UpgradeStep } from './versionedJson.js';

/**
 * The steps that bring a stored record up to `RECORD_SCHEMA`, one per format:
 * `recordUpgrades[i]` takes format `i + 1` to `i + 2` (the chain sets `schema`).
 * Each is pure and tested on its own; a new record field is one more step here
 * (with its default for records stored before it existed).
 *
 * - 1 → 2: nothing changes but where the version lives (every stored form now
 *   carries it: JSON `schema`, the packed header byte).
 *
 * @example
 * upgradeRecord({ schema: 1, state: 'none', ... }); // { schema: 2, state: 'none', ... }
 */
export const recordUpgrades: readonly UpgradeStep[] = [
  (v1) => ({ ...v1 }),
];
