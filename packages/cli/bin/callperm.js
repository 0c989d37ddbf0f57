#!/usr/bin/env node
// The `callperm` executable.
// Installed from the registry, the package holds compiled JavaScript only: run dist/main.js.
// In the repository (src/main.ts is there), run the TypeScript sources through tsx, a devDependency,
// so the CLI always runs the code as it is now, with no build step, even when an older dist exists.
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/main.js');
}
