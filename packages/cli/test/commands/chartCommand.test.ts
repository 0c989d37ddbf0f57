import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionMachine, toMermaid } from '@callperm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/CliError.js';
import { exportChart } from '../../src/chart/exportChart.js';
import { cli, scratchDir } from '../support/captureIo.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('callperm chart', () => {
  it('prints the full Mermaid chart by default', async () => {
    const run = await cli(['chart']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(toMermaid(permissionMachine));
  });

  it.each([['mermaid'], ['dot'], ['json']] as const)('--format %s prints what exportChart gives', async (format) => {
    const run = await cli(['chart', '--format', format]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await exportChart(permissionMachine, format));
  });

  it('--detail summary prints the summary Mermaid chart', async () => {
    const run = await cli(['chart', '--detail', 'summary']);
    expect(run.stdout).toBe(toMermaid(permissionMachine, { detail: 'summary' }));
  });

  it('--out writes the file, its format taken from the extension', async () => {
    const run = await cli(['chart', '--out', 'chart.html'], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(join(scratch.dir, 'chart.html'), 'utf8')).toBe(await exportChart(permissionMachine, 'html'));
  });

  it.each([
    [['chart', '--format', 'png']],
    [['chart', '--thread', '1:2', '--store', 'memory']],
    [['chart', '--format', 'html', '--thread', '1:2']],
    [['chart', '--format', 'html', '--thread', 'nocolon', '--store', 'memory']],
    [['chart', '--format', 'html', '--thread', '1:2', '--store', 'mysql://x']],
    [['chart', '--no-such-option']],
  ])('%j is a usage error', async (args) => {
    const run = await cli(args);
    expect(run.code).toBe(exitCodes.usage);
  });

  it('--thread on a store with nothing logged draws the chart from the initial state', async () => {
    const run = await cli(['chart', '--format', 'html', '--thread', '1:2', '--store', 'memory']);
    expect(run.code).toBe(0);
    const data = JSON.parse(/<script type="application\/json" id="callperm-data">(.*?)<\/script>/s.exec(run.stdout)![1]!) as {
      replay: { start: string; steps: unknown[] };
    };
    expect(data.replay).toMatchObject({ start: 'none', steps: [] });
  });
});
