import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildConfig, FromChild, ToChild } from './multiProcess.child.js';

const childFile = fileURLToPath(new URL('./multiProcess.child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * A child process of the multi-process test, driven by messages: `next(type)`
 * resolves with the next message of that type, or rejects if the process exits
 * (or errs) first, so a crashed child fails the test instead of hanging it.
 */
export class StoreChild {
  readonly #process: ChildProcess;
  readonly #inbox: FromChild[] = [];
  readonly #waiting: { type: FromChild['type']; resolve: (m: FromChild) => void; reject: (e: Error) => void }[] = [];
  #ended: Error | null = null;
  readonly exited: Promise<number | null>;

  constructor(config: ChildConfig) {
    this.#process = fork(childFile, [JSON.stringify(config)], {
      cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#process.on('message', (m: FromChild) => {
      const i = this.#waiting.findIndex((w) => w.type === m.type);
      if (i === -1) this.#inbox.push(m);
      else this.#waiting.splice(i, 1)[0]?.resolve(m);
    });
    this.exited = new Promise((resolve) => {
      const end = (why: Error, code: number | null): void => {
        this.#ended ??= why;
        for (const w of this.#waiting.splice(0)) w.reject(why);
        resolve(code);
      };
      this.#process.on('exit', (code) => end(new Error(`child ${config.child} exited with code ${String(code)}`), code));
      this.#process.on('error', (e) => end(e, null));
    });
  }

  next<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> {
    const i = this.#inbox.findIndex((m) => m.type === type);
    if (i !== -1) return Promise.resolve(this.#inbox.splice(i, 1)[0] as Extract<FromChild, { type: T }>);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ type, resolve: (m) => resolve(m as Extract<FromChild, { type: T }>), reject });
    });
  }

  tell(message: ToChild): void {
    this.#process.send(message);
  }

  kill(): void {
    if (this.#process.exitCode === null) this.#process.kill();
  }
}
