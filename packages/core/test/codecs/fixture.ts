import { readFileSync } from 'node:fs';

/** Reads a payload saved verbatim under `packages/core/test/fixtures/`, as the untyped JSON a codec receives. */
export const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as unknown;
