import { mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** How a serve child is run: the file `node` starts, and its flags. */
export interface ServeChildEntry {
  readonly file: string;
  readonly execArgv: readonly string[];
}

const source = fileURLToPath(new URL('./serveChild.ts', import.meta.url));
/**
 * In the CLI's node_modules: the bundle's external imports (better-sqlite3's native
 * module) resolve from the CLI package, and `program.ts`'s `../package.json`
 * (relative to the module) is the CLI's, as from `src/`.
 */
const bundleDir = fileURLToPath(new URL('../../../node_modules/', import.meta.url));

const bundle = async (): Promise<ServeChildEntry> => {
  mkdirSync(bundleDir, { recursive: true });
  const file = `${bundleDir}.callperm-serve-child.mjs`;
  // Test files running at once each build the same bundle: each writes its own, then renames it into place (atomic).
  const own = `${file}.${process.pid}`;
  // esbuild: the CLI's devDependency, pinned to the version tsx compiles these sources with.
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [source], outfile: own, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    // The machine compiler reads XState's guard combinators by their function names.
    keepNames: true,
    external: ['better-sqlite3', 'pg-native'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  renameSync(own, file);
  return { file, execArgv: [] };
};

let built: Promise<ServeChildEntry> | null = null;

/**
 * The serve child as one bundled ES module, built once per test process from
 * `serveChild.ts` and the workspace sources it imports (into the CLI's
 * node_modules, replaced by every run). A fresh
 * `node --import tsx` spends about 2 s of CPU loading the CLI's sources one by one;
 * the bundle loads in about 0.6 s, which is what 50 kills and restarts cost.
 *
 * @example
 * const p = new ServeProcess('a', config, await serveChildEntry());
 */
export const serveChildEntry = (): Promise<ServeChildEntry> => (built ??= bundle());
