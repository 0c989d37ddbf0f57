import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

/**
 * Every storage driver (a top-level file of src/storage; helpers live in its
 * subfolders) must have a conformance run, an `exports` entry and a docs section,
 * and nothing may name a driver that does not exist.
 */
const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const storageDir = at('../../src/storage/');
const drivers = readdirSync(storageDir, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => e.name.slice(0, -'.ts'.length))
  .sort();
const pkg = JSON.parse(readFileSync(at('../../package.json'), 'utf8')) as { exports: Record<string, string | null> };
const readme = readFileSync(at('../../../../README.md'), 'utf8');
/** The README's "## Storage drivers" section, up to the next top-level section. */
const docs = /^## Storage drivers\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
const docSections = [...docs.matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]);

describe('storage drivers are complete', () => {
  test('the four drivers exist', () => {
    expect(drivers).toEqual(expect.arrayContaining(['memory', 'postgres', 'redis', 'sqlite']));
  });

  test.each(drivers)('%s has a conformance run in its test file', (driver) => {
    const file = at(`./${driver}.test.ts`);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/\brunStoreConformance\(\s*test\s*,/);
  });

  test.each(drivers)('%s loads from its subpath and exports its factory', async (driver) => {
    const mod = (await import(`@callperm/adapters/storage/${driver}`)) as Record<string, unknown>;
    expect(typeof mod[`${driver}Store`]).toBe('function');
  });

  test('the subpath pattern exposes drivers only: their helpers stay private', async () => {
    expect(pkg.exports['./storage/*']).toBe('./src/storage/*.ts');
    expect(pkg.exports['./storage/shared/*']).toBeNull();
    const helper = '@callperm/adapters/storage/shared/attempt';
    await expect(import(/* @vite-ignore */ helper)).rejects.toThrow(/not exported/);
  });

  test.each(drivers)('%s has a section in the README', (driver) => {
    expect(docSections).toContain(driver);
  });

  test('no docs section names a driver that does not exist', () => {
    expect([...docSections].sort()).toEqual(drivers);
  });
});
