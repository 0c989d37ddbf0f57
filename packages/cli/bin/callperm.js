#!/usr/bin/env node
// Runs the TypeScript entry through tsx's ESM loader, so the CLI needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
