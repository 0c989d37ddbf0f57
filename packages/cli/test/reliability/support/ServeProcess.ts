import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Instant } from '@callperm/core';
import type { ServeChildEntry } from './serveChildEntry.js';
import { STALL_BYTE, type FromServeChild, type ServeChildConfig, type ToServeChild } from './serveChildProtocol.js';

const cliRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** Lines of a child's stderr kept for a failure's report. */
const KEPT_LINES = 40;

/** Where a started serve process listens. */
export interface ServeUrls {
  /** `http://127.0.0.1:PORT`: the webhook at `/webhook` and the JSON API. */
  readonly url: string;
  readonly api: string;
}

/** Thrown by a wait that the child's exit cut short. */
export class ServeExitedError extends Error {
  readonly code = 'serve_exited' as const;
  constructor(readonly serve: string, readonly exit: number | string | null, stderr: readonly string[] = []) {
    super(`serve process ${serve} exited (${String(exit)}) before answering${stderr.length === 0 ? '' : `; its stderr ended with:\n${stderr.join('\n')}`}`);
    this.name = 'ServeExitedError';
  }
}

/**
 * A real `callperm serve` OS process (see `serveChild.ts`; `entry` from
 * `serveChildEntry`), driven over IPC:
 * created warm (modules loaded, nothing opened), `start(now)` runs serve on the
 * virtual instant `now`, `setClock` moves its clock and waits until it is set,
 * `kill()` is SIGKILL, `stallNextCommit()` makes it block before its next SQLite
 * COMMIT and be killed right there. A wait rejects with {@link ServeExitedError}
 * if the process dies first, so a crash fails a test instead of hanging it.
 *
 * @example
 * const p = new ServeProcess('a', config, await serveChildEntry());
 * const { url } = await p.start(clock.now());
 * await p.setClock(clock.advance(60_000));
 * p.kill();
 */
export class ServeProcess {
  readonly #process: ChildProcess;
  readonly #inbox: FromServeChild[] = [];
  readonly #waiting: { type: FromServeChild['type']; resolve: (m: FromServeChild) => void; reject: (e: Error) => void }[] = [];
  readonly #stderr: string[] = [];
  #ended: Error | null = null;
  #killedOnStall = false;
  readonly #warm: Promise<unknown>;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<number | string | null>;
  urls: ServeUrls | null = null;
  /** How many stderr lines of each kind it wrote (digits folded), for a run's figures. */
  readonly stderrKinds = new Map<string, number>();

  constructor(readonly name: string, config: ServeChildConfig, entry: ServeChildEntry) {
    this.#process = fork(entry.file, [JSON.stringify(config)], {
      cwd: cliRoot, execArgv: [...entry.execArgv], stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
    });
    this.#process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = chunk.split('\n').filter((l) => l !== '');
      for (const l of lines) {
        const kind = l.replace(/\d+/g, '#');
        this.stderrKinds.set(kind, (this.stderrKinds.get(kind) ?? 0) + 1);
      }
      this.#stderr.push(...lines);
      this.#stderr.splice(0, Math.max(0, this.#stderr.length - KEPT_LINES));
    });
    (this.#process.stdio[4] as Readable | null)?.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes(STALL_BYTE) && this.alive) {
        this.#killedOnStall = true;
        this.kill();
      }
    });
    this.#process.on('message', (m: FromServeChild) => {
      const i = this.#waiting.findIndex((w) => w.type === m.type);
      if (i === -1) this.#inbox.push(m);
      else this.#waiting.splice(i, 1)[0]?.resolve(m);
    });
    this.exited = new Promise((resolve) => {
      this.#process.on('exit', (code, signal) => {
        const exit = code ?? signal;
        this.#ended ??= new ServeExitedError(name, exit, exit === 'SIGKILL' ? [] : this.#stderr.slice(-10));
        for (const w of this.#waiting.splice(0)) w.reject(this.#ended);
        resolve(exit);
      });
    });
    this.#warm = this.#next('warm');
    this.#warm.catch(() => undefined);
  }

  /** Whether the process still runs (not killed, not exited). */
  get alive(): boolean {
    return this.#process.exitCode === null && this.#process.signalCode === null && !this.#process.killed;
  }

  /** Whether the last kill was a COMMIT stall's. */
  get killedOnStall(): boolean {
    return this.#killedOnStall;
  }

  /** The last lines it wrote to stderr. */
  get stderr(): readonly string[] {
    return this.#stderr;
  }

  /** Resolves when its modules are loaded. */
  async warm(): Promise<void> {
    await this.#warm;
  }

  /** Runs `serve` with the virtual clock at `now`; resolves with its URLs once it listens. */
  async start(now: Instant): Promise<ServeUrls> {
    await this.warm();
    this.#tell({ type: 'start', now });
    const line = await this.#next('listening');
    if (line.api === null) throw new Error(`serve process ${this.name} has no JSON API: set CALLPERM_API_TOKEN`);
    this.urls = { url: line.listening, api: line.api };
    return this.urls;
  }

  /** Moves its virtual clock to `now`; resolves once it is set there. */
  async setClock(now: Instant): Promise<void> {
    this.#tell({ type: 'clock', now });
    await this.#next('clock');
  }

  /** Its next SQLite COMMIT blocks, and this kills it there (SIGKILL). */
  stallNextCommit(): void {
    this.#tell({ type: 'stallCommit' });
  }

  /** SIGKILL, now. */
  kill(): void {
    if (this.alive) this.#process.kill('SIGKILL');
  }

  /** Shuts it down as SIGTERM does; resolves to its exit code. */
  async stop(): Promise<number | string | null> {
    this.#tell({ type: 'stop' });
    return this.exited;
  }

  #tell(m: ToServeChild): void {
    if (!this.alive || !this.#process.connected) return;
    this.#process.send(m, (e) => {
      if (e !== null && this.alive) this.#stderr.push(`ipc: ${e.message}`);
    });
  }

  #next<T extends FromServeChild['type']>(type: T): Promise<Extract<FromServeChild, { type: T }>> {
    const i = this.#inbox.findIndex((m) => m.type === type);
    if (i !== -1) return Promise.resolve(this.#inbox.splice(i, 1)[0] as Extract<FromServeChild, { type: T }>);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ type, resolve: (m) => resolve(m as Extract<FromServeChild, { type: T }>), reject });
    });
  }
}
