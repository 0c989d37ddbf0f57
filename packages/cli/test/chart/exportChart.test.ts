import { chartModel, permissionMachine } from '@callperm/core';
import { createMachine, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { chartFormats, exportChart } from '../../src/chart/exportChart.js';

/** The same machine with one more transition: `expired --PING--> none`. */
const withExtraTransition = (): AnyStateMachine => {
  const config = permissionMachine.config as { states: Record<string, { on?: Record<string, unknown> }> };
  const expired = config.states.expired!;
  return createMachine(
    { ...(permissionMachine.config as object), states: { ...config.states, expired: { ...expired, on: { ...expired.on, PING: { target: 'none' } } } } } as never,
    permissionMachine.implementations as never,
  );
};

describe('chart exports from the machine definition', () => {
  it.each(chartFormats)('%s is the same byte for byte when exported twice', async (format) => {
    const first = await exportChart(permissionMachine, format);
    const second = await exportChart(permissionMachine, format);
    expect(second).toBe(first);
    expect(first.length).toBeGreaterThan(100);
  });

  it.each(chartFormats)('%s changes when the machine gains a transition', async (format) => {
    const changed = withExtraTransition();
    expect(chartModel(changed).transitions.length).toBe(chartModel(permissionMachine).transitions.length + 1);
    expect(await exportChart(changed, format)).not.toBe(await exportChart(permissionMachine, format));
    expect(await exportChart(changed, format)).toContain('PING');
  });

  it('DOT has one node per state and a t-N class for every transition', async () => {
    const dot = await exportChart(permissionMachine, 'dot');
    const model = chartModel(permissionMachine);
    for (const s of model.states) expect(dot).toContain(`id="state-${s}"`);
    model.transitions.forEach((_, i) => expect(dot).toMatch(new RegExp(`class="[^"]*\\bt-${i}\\b`)));
  });

  it('JSON is the machine\'s toJSON with every guard named, combined guards included', async () => {
    const json = JSON.parse(await exportChart(permissionMachine, 'json')) as {
      id: string;
      states: Record<string, { on: Record<string, { guard?: string }[]> }>;
    };
    expect(json.id).toBe(permissionMachine.id);
    const model = chartModel(permissionMachine);
    for (const state of model.states) {
      const guards = Object.values(json.states[state]!.on).flat().map((d) => d.guard ?? null);
      expect(guards).toEqual(model.transitions.filter((t) => t.from === state).map((t) => t.guard));
    }
  });

  it('Mermaid summary and full differ, both start with the diagram type', async () => {
    const full = await exportChart(permissionMachine, 'mermaid');
    const summary = await exportChart(permissionMachine, 'mermaid', { detail: 'summary' });
    expect(full.split('\n')[0]).toBe('stateDiagram-v2');
    expect(summary.split('\n')[0]).toBe('stateDiagram-v2');
    expect(summary.length).toBeLessThan(full.length);
  });

  it('HTML is self-contained: no external script, stylesheet or image', async () => {
    const html = await exportChart(permissionMachine, 'html');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/<img[^>]+src=["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain('<svg');
  });
});
