import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { permissionMachine, toMermaid } from '@callperm/core';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = readFileSync(readmePath, 'utf8');

/** The fenced block of `lang` between `<!-- name:begin -->` and `<!-- name:end -->`. */
const section = (name: string, lang: string): string => {
  const m = new RegExp(`<!-- ${name}:begin -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(readme);
  if (!m?.[1]) throw new Error(`README has no ${name} section`);
  return m[1];
};

describe('README', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the chart generated from the machine', () => {
    expect(section('chart', 'mermaid')).toBe(toMermaid(permissionMachine, { detail: 'summary' }));
  });

  it('runs the usage example verbatim and prints what it says it prints', async () => {
    const dir = fileURLToPath(new URL('./.generated/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}readme-example.ts`;
    writeFileSync(file, section('example', 'ts'));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.map(String).join(' ')); });
    await import(pathToFileURL(file).href);
    const printed = /It prints:\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(printed).toBeDefined();
    expect(lines).toEqual(printed!.trimEnd().split('\n'));
  });
});
