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
