import { emptyRecord, memoryStore, permissionMachine, type HistoryEntry, type HistorySource, type PermissionStore, type Thread } from '@callperm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSource } from '../../src/chart/describeSource.js';
import { historyReplay } from '../../src/chart/historyReplay.js';
import { toHtml } from '../../src/chart/toHtml.js';

const thread: Thread = { pageId: '10', psid: '20' };
const T0 = Date.UTC(2026, 0, 1);

/** The `i`th entry of a made-up trail: REQUEST, REQUEST_FAILED, REQUEST, ... one minute apart. */
const entry = (i: number, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  at: T0 + i * 60_000,
  recordedAt: T0 + i * 60_000,
  from: i % 2 === 0 ? 'none' : 'requested',
  to: i % 2 === 0 ? 'requested' : 'none',
  event: i % 2 === 0 ? 'REQUEST' : 'REQUEST_FAILED',
  source: { kind: 'opt_in', requestedAt: T0 + i * 60_000, messageId: null },
  expiresAt: null,
  provisional: false,
  reason: i % 2 === 0 ? 'pending_reply' : 'no_permission',
  ...over,
});

/** Appends `entries` to the thread's history in one commit. */
const append = async (store: PermissionStore, entries: readonly HistoryEntry[]): Promise<void> => {
  const version = (await store.get(thread))?.version ?? 0;
  const now = entries.at(-1)?.recordedAt ?? T0;
  const r = await store.commitThread({ thread, expectedVersion: version, record: emptyRecord(), eventIds: [], now, until: now, history: entries });
  expect(r.ok).toBe(true);
};

/** The JSON data island of a chart page. */
interface PageReplay { readonly start: string; readonly cut: boolean; readonly steps: (HistoryEntry & { via: string; time: string })[] }
const dataOf = (html: string): { replay: PageReplay } =>
  JSON.parse(/<script type="application\/json" id="callperm-data">(.*?)<\/script>/s.exec(html)![1]!) as never;

/** The text of the page's step list item `n` (0 is the start). */
const stepItem = (html: string, n: number): string => new RegExp(`<li data-step="${n}">(.*?)</li>`).exec(html)![1]!;

describe('a replay from the store\'s history', () => {
  let store: PermissionStore;
  afterEach(async () => store.close());

  it('lists the entries oldest first and starts from the oldest entry\'s from', async () => {
    store = memoryStore();
    const entries = [0, 1, 2].map((i) => entry(i));
    await append(store, entries);
    const replay = await historyReplay(store, thread, () => Promise.reject(new Error('not asked when there is history')));
    expect(replay.steps).toEqual(entries);
    expect(replay.start).toBe('none');
    expect(replay.cut).toBeUndefined();
  });

  it('starts from the current state when the thread has no history', async () => {
    store = memoryStore();
    const replay = await historyReplay(store, thread, () => Promise.resolve('approved'));
    expect(replay).toEqual({ thread, start: 'approved', steps: [] });
  });

  it('starts from none when the oldest entry\'s from is unknown (an operator\'s reset)', async () => {
    store = memoryStore();
    await append(store, [entry(0, { from: null, to: 'none', event: 'RESET', source: { kind: 'operator' }, reason: 'no_permission' }), entry(1, { from: 'none', to: 'requested', event: 'REQUEST' })]);
    const replay = await historyReplay(store, thread, () => Promise.resolve('requested'));
    expect(replay.start).toBe('none');
    expect(replay.steps.map((s) => s.event)).toEqual(['RESET', 'REQUEST']);
  });

  it('keeps the newest entries only, and says it was cut, past the limit', async () => {
    store = memoryStore();
    const entries = Array.from({ length: 7 }, (_, i) => entry(i));
    await append(store, entries);
    const cut = await historyReplay(store, thread, () => Promise.resolve('none'), 5);
    expect(cut.steps).toEqual(entries.slice(2));
    expect(cut.start).toBe(entries[2]!.from);
    expect(cut.cut).toBe(true);
    const whole = await historyReplay(store, thread, () => Promise.resolve('none'), 7);
    expect(whole.steps).toEqual(entries);
    expect(whole.cut).toBeUndefined();
  });
});

describe('the chart page\'s replay', () => {
  const sources: HistorySource[] = [
    { kind: 'webhook', eventId: 'cpr:10:20:1767225600000', optInMessageId: 'm_1' },
    { kind: 'opt_in', requestedAt: T0, messageId: 'm_2' },
    { kind: 'opt_in', requestedAt: T0, messageId: null },
    { kind: 'remote_check', fbtraceId: 'AbC' },
    { kind: 'remote_check', fbtraceId: null },
    { kind: 'call', callId: 'c_1', cause: 'connected_call' },
    { kind: 'call', callId: 'c_2', cause: 'missed_call' },
    { kind: 'host' },
    { kind: 'operator' },
  ];

  it('names each kind of source differently, with its id', () => {
    const names = sources.map((s) => describeSource(s));
    expect(new Set(names).size).toBe(sources.length);
    expect(names[0]).toContain('cpr:10:20:1767225600000');
    expect(names[1]).toContain('m_2');
    expect(names[3]).toContain('AbC');
    expect(names[5]).toContain('c_1');
  });

  it('shortens a long id, and keeps it whole on request', () => {
    const long: HistorySource = { kind: 'webhook', eventId: `permission_reply:${'9'.repeat(80)}`, optInMessageId: null };
    expect(describeSource(long).length).toBeLessThan(50);
    expect(describeSource(long, Infinity)).toContain(long.eventId);
  });

  it('shows each step\'s event, from, to and source, and keeps every entry in the page data', async () => {
    const steps = sources.map((source, i) => entry(i, { source }));
    const html = await toHtml(permissionMachine, { replay: { thread, start: 'none', steps } });
    const data = dataOf(html);
    expect(data.replay.steps.map(({ via: _via, time: _time, ...s }) => s)).toEqual(steps);
    steps.forEach((s, i) => {
      const item = stepItem(html, i + 1);
      expect(item).toContain(s.event);
      expect(item).toContain(`${s.from} → ${s.to}`);
      expect(item).toContain(describeSource(s.source));
      expect(data.replay.steps[i]!.via).toBe(describeSource(s.source));
    });
    expect(html).not.toContain('id="steps-cut"');
  });

  it('shows an unknown from (an operator\'s reset) as such, never as "null"', async () => {
    const reset = entry(0, { from: null, to: 'none', event: 'RESET', source: { kind: 'operator' } });
    const html = await toHtml(permissionMachine, { replay: { thread, start: 'none', steps: [reset] } });
    const item = stepItem(html, 1);
    expect(item).toContain('RESET');
    expect(item).not.toContain('null');
    expect(dataOf(html).replay.steps[0]!.from).toBeNull();
  });

  it('escapes ids and reasons it did not make', async () => {
    const evil = '<img src=x onerror=alert(1)>"';
    const steps = [
      entry(0, { source: { kind: 'webhook', eventId: evil, optInMessageId: evil } }),
      entry(1, { source: { kind: 'call', callId: evil, cause: 'missed_call' }, reason: evil as never }),
    ];
    const html = await toHtml(permissionMachine, { replay: { thread: { pageId: evil, psid: evil }, start: 'none', steps } });
    expect(html).not.toContain('<img');
    expect(html).not.toContain(`${evil}`);
    expect(dataOf(html).replay.steps[0]!.source).toEqual(steps[0]!.source);
  });

  it('says on the page when older steps were left out', async () => {
    const html = await toHtml(permissionMachine, { replay: { thread, start: 'none', steps: [entry(0)], cut: true } });
    expect(html).toContain('id="steps-cut"');
    expect(dataOf(html).replay.cut).toBe(true);
  });
});
