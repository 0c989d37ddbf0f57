import type { Instant } from '@callperm/core';

/** The store a serve child runs on: what it loads while warming up. */
export type ServeChildDriver = 'sqlite' | 'redis' | 'redis-cluster' | 'postgres';

/** How a serve child is started: the `serve` arguments after `serve`, and the environment `runCli` reads. */
export interface ServeChildConfig {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly driver: ServeChildDriver;
}

/** Parent to child (IPC). */
export type ToServeChild =
  /** Run `serve` now, the virtual clock starting at `now` (a restarted process continues the run's time). */
  | { readonly type: 'start'; readonly now: Instant }
  /** Move the virtual clock to `now` (never back); answered with `clock` once set. */
  | { readonly type: 'clock'; readonly now: Instant }
  /** Before the next SQLite COMMIT, write {@link STALL_BYTE} to fd 4 and block, so the parent kills inside the transaction. */
  | { readonly type: 'stallCommit' }
  /** Shut down as on SIGTERM. */
  | { readonly type: 'stop' };

/** Child to parent (IPC). */
export type FromServeChild =
  /** Modules loaded: ready to `start` at once. */
  | { readonly type: 'warm' }
  /** `serve`'s JSON line: it listens. */
  | { readonly type: 'listening'; readonly listening: string; readonly api: string | null }
  /** The virtual clock is at `now`. */
  | { readonly type: 'clock'; readonly now: Instant };

/** What a child writes to fd 4 when it is about to COMMIT with a stall armed. */
export const STALL_BYTE = 'C';
