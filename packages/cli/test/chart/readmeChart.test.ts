import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { permissionMachine, toMermaid } from '@callperm/core';
import { describe, expect, it } from 'vitest';

const readme = fileURLToPath(new URL('../../../../README.md', import.meta.url));

/** The ```mermaid block between `<!-- chart:begin -->` and `<!-- chart:end -->`, or null. */
const readmeChart = (text: string): string | null => {
  const m = /<!-- chart:begin -->\r?\n```mermaid\r?\n([\s\S]*?)```\r?\n<!-- chart:end -->/.exec(text);
  return m?.[1] ?? null;
};

describe('the README chart', () => {
  it('is the machine\'s summary Mermaid chart, as generated (regenerate: callperm chart --detail summary)', () => {
    const chart = readmeChart(readFileSync(readme, 'utf8'));
    expect(chart, 'README.md has a ```mermaid block between <!-- chart:begin --> and <!-- chart:end -->').not.toBeNull();
    expect(chart).toBe(toMermaid(permissionMachine, { detail: 'summary' }));
  });
});
