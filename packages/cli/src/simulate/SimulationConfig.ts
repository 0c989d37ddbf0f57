/** Which of Meta's misbehaviours the simulation plays. */
export type FaultMode = 'none' | 'meta';

/** Which channel the simulated people are on: all Messenger, all WhatsApp, or both (alternating by persona index). */
export type ChannelMode = 'messenger' | 'whatsapp' | 'both';

/** Every channel mode, as `--channel` takes them. */
export const channelModes: readonly ChannelMode[] = ['messenger', 'whatsapp', 'both'];

/** What `callperm simulate` runs. */
export interface SimulationConfig {
  /** Consumers, one thread each. */
  readonly threads: number;
  /** Virtual days simulated. */
  readonly days: number;
  readonly seed: number;
  /**
   * `meta`: webhooks duplicated and reordered, Graph 5xx (some after Meta acted),
   * dropped connections, and Pages throttled for a while. `none`: a well-behaved Meta.
   */
  readonly faults: FaultMode;
  /** The virtual instant the run starts at (default 2026-01-01T00:00Z). */
  readonly start?: number;
  /**
   * `messenger` (default): every person on a Messenger thread of a Page. `whatsapp`:
   * every person on a WhatsApp thread of a business phone number. `both`: even
   * persona indexes on Messenger, odd ones on WhatsApp.
   */
  readonly channel?: ChannelMode;
}

/** The defaults `callperm simulate` uses. */
export const defaultSimulation: Required<SimulationConfig> = {
  threads: 200,
  days: 14,
  seed: 1,
  faults: 'meta',
  start: Date.UTC(2026, 0, 1),
  channel: 'messenger',
};

/** Time constants of the simulation, in ms. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The clock moves in these steps; actions planned inside a step happen at its end. */
export const TICK_MS = MINUTE;
/** The share of people Meta reports unavailable (551) to opt-ins: blocked the Page, deactivated. */
export const UNAVAILABLE_SHARE = 0.03;
/** How often the host runs `sweep` (virtual). */
export const SWEEP_EVERY_MS = 15 * MINUTE;
