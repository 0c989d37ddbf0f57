import { spawn } from 'node:child_process';

/**
 * Runs a bench file in a fresh Node process (same loader flags as this one, plus
 * --expose-gc, and `--max-old-space-size` when asked), passing `args` as JSON, and
 * returns the JSON it prints last. Memory and scale figures need a heap of their own.
 *
 * @example
 * const r = await runChild<{ bytes: number }>(new URL('./heapChild.ts', import.meta.url), { threads: 1000 });
 */
export const runChild = async <T>(file: URL, args: unknown, heapMb = 4096): Promise<T> => {
  const flags = [...process.execArgv.filter((f) => f !== '--expose-gc'), '--expose-gc', `--max-old-space-size=${heapMb}`];
  const child = spawn(process.execPath, [...flags, file.pathname, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => { out += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`${file.pathname} exited with ${String(code)}: ${last}`);
  return JSON.parse(last) as T;
};

/** The JSON argument a child was given. */
export const childArgs = <T>(): T => JSON.parse(process.argv[2] ?? '{}') as T;

/** A child's answer: one JSON line on stdout. */
export const answer = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** A child that stays up between rounds: `ask` sends one line and resolves with its one-line JSON answer. */
export interface Worker {
  ask<T>(message: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts `file` as a long-lived child (same flags as `runChild`); it answers each
 * line on stdin with one JSON line (see `serve`). Lets a bench interleave rounds of
 * several heaps, so the machine's load drifts over all of them alike.
 *
 * @example
 * const w = await startWorker(new URL('./scaleChild.ts', import.meta.url), { threads }); await w.ask('round');
 */
export const startWorker = async (file: URL, args: unknown, heapMb = 4096): Promise<Worker> => {
  const flags = [...process.execArgv.filter((f) => f !== '--expose-gc'), '--expose-gc', `--max-old-space-size=${heapMb}`];
  const child = spawn(process.execPath, [...flags, file.pathname, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buffered += d;
    let nl = buffered.indexOf('\n');
    while (nl !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(line);
      nl = buffered.indexOf('\n');
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const next = (): Promise<string> => Promise.race([
    new Promise<string>((resolve) => waiting.push(resolve)),
    exited.then((code) => { throw new Error(`${file.pathname} exited with ${String(code)}`); }),
  ]);
  await next(); // "ready"
  return {
    async ask<T>(message: string) {
      const answered = next();
      child.stdin.write(`${message}\n`);
      return JSON.parse(await answered) as T;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
};

/**
 * The child side of `startWorker`: says ready, then answers each line with `handle`.
 *
 * @example
 * await serve(async (msg) => (msg === 'round' ? runRound() : null));
 */
export const serve = async (handle: (message: string) => Promise<unknown>): Promise<void> => {
  answer('ready');
  let pending = '';
  for await (const chunk of process.stdin) {
    pending += String(chunk);
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      answer(await handle(line));
      nl = pending.indexOf('\n');
    }
  }
};
