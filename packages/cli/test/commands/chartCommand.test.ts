import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { graphApi } from '@callperm/adapters/graph';
import { emptyRecord, permissionMachine, toMermaid, type HistoryEntry, type Thread } from '@callperm/core';
import { createFakeGraphApi, VirtualClock } from '@callperm/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/CliError.js';
import { describeSource } from '../../src/chart/describeSource.js';
import { exportChart } from '../../src/chart/exportChart.js';
import { REPLAY_LIMIT } from '../../src/chart/historyReplay.js';
import { createCliService } from '../../src/createCliService.js';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
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

  it('--thread on a thread with no history draws the chart from the initial state', async () => {
    const run = await cli(['chart', '--format', 'html', '--thread', '1:2', '--store', 'memory']);
    expect(run.code).toBe(0);
    expect(replayOf(run.stdout)).toMatchObject({ start: 'none', steps: [] });
  });
});

interface PageReplay { start: string; cut: boolean; steps: (HistoryEntry & { time: string; via: string })[] }

/** The replay in a chart page's JSON data island. */
const replayOf = (html: string): PageReplay =>
  (JSON.parse(/<script type="application\/json" id="callperm-data">(.*?)<\/script>/s.exec(html)![1]!) as { replay: PageReplay }).replay;

/** The page's list item of step `n` (0 is the start). */
const stepItem = (html: string, n: number): string => new RegExp(`<li data-step="${n}">(.*?)</li>`).exec(html)![1]!;

/** The steps as the store holds them, without what the page adds. */
const asStored = (steps: PageReplay['steps']): HistoryEntry[] => steps.map(({ time: _time, via: _via, ...e }) => e);

const DAY = 86_400_000;

/** Reads a thread's whole history, newest first, from a SQLite store file. */
const storedHistory = async (file: string, thread: Thread): Promise<HistoryEntry[]> => {
  const opened = await openStore(parseStoreSpec(`sqlite:${file}`, scratch.dir));
  try {
    return await opened.store.history(thread, { limit: REPLAY_LIMIT * 2 });
  } finally {
    await opened.close();
  }
};

describe('callperm chart --thread replays the store\'s consent history', () => {
  const file = 'history.sqlite';
  const thread: Thread = { pageId: '7001', psid: '8001' };

  it('shows the steps the service committed, oldest first, each with its source', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const fake = await createFakeGraphApi({ clock });
    const graph = graphApi({ accessToken: 't', baseUrl: fake.url, clock });
    const opened = await openStore(parseStoreSpec(`sqlite:${file}`, scratch.dir));
    const replyId = `cpr:${thread.pageId}:${thread.psid}:approve`;
    try {
      const service = createCliService(opened, graph, { clock });
      fake.inbound(thread);
      await service.ingest([{ kind: 'inbound_message', id: 'm:in:1', thread, at: clock.now() }]);
      clock.advance('PT1M');
      expect((await service.request(thread)).ok).toBe(true);
      clock.advance('PT5M');
      await service.ingest([{ kind: 'permission_reply', id: replyId, thread, at: clock.now(), response: 'approve', expiresAt: clock.now() + 7 * DAY }]);
      clock.advance('PT1M');
      expect((await service.refresh(thread)).ok).toBe(true);
    } finally {
      await opened.close();
      graph.close();
      await fake.close();
    }

    const run = await cli(['chart', '--thread', `${thread.pageId}:${thread.psid}`, '--store', `sqlite:${file}`, '--format', 'html'], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const replay = replayOf(run.stdout);
    const history = await storedHistory(join(scratch.dir, file), thread);
    expect(history.length).toBeGreaterThan(0);
    expect(asStored(replay.steps)).toEqual([...history].reverse());
    expect(replay.start).toBe(replay.steps[0]!.from);
    expect(replay.cut).toBe(false);

    const events = replay.steps.map((s) => s.event);
    const request = events.indexOf('REQUEST');
    const sent = events.indexOf('REQUEST_SENT');
    const approve = events.indexOf('REPLY_APPROVE');
    expect(request).toBeGreaterThanOrEqual(0);
    expect(sent).toBeGreaterThan(request);
    expect(approve).toBeGreaterThan(sent);
    const sentSource = replay.steps[sent]!.source;
    const approveSource = replay.steps[approve]!.source;
    expect(sentSource).toMatchObject({ kind: 'opt_in', messageId: expect.any(String) as string });
    expect(approveSource).toEqual({ kind: 'webhook', eventId: replyId, optInMessageId: sentSource.kind === 'opt_in' ? sentSource.messageId : 'not an opt-in' });
    expect(replay.steps.at(-1)!.source.kind).toBe('remote_check');

    replay.steps.forEach((s, i) => {
      const item = stepItem(run.stdout, i + 1);
      expect(item).toContain(s.event);
      expect(item).toContain(`${s.from} → ${s.to}`);
      expect(item).toContain(describeSource(s.source));
    });
  });

  it('shows an operator\'s reset, whose from is unknown', async () => {
    const opened = await openStore(parseStoreSpec(`sqlite:${file}`, scratch.dir));
    try {
      const stored = await opened.store.get(thread);
      expect((await opened.store.reset(thread, stored!.version, Date.UTC(2026, 0, 2))).ok).toBe(true);
    } finally {
      await opened.close();
    }
    const run = await cli(['chart', '--thread', `${thread.pageId}:${thread.psid}`, '--store', `sqlite:${file}`, '--format', 'html'], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    const replay = replayOf(run.stdout);
    const last = replay.steps.at(-1)!;
    expect(last).toMatchObject({ event: 'RESET', from: null, source: { kind: 'operator' } });
    expect(stepItem(run.stdout, replay.steps.length)).not.toContain('null');
  });

  /** Appends `count` made-up entries to a thread's history in one commit. */
  const fill = async (t: Thread, count: number): Promise<HistoryEntry[]> => {
    const t0 = Date.UTC(2026, 1, 1);
    const entries = Array.from({ length: count }, (_, i): HistoryEntry => ({
      at: t0 + i * 1000, recordedAt: t0 + i * 1000,
      from: i % 2 === 0 ? 'none' : 'requested', to: i % 2 === 0 ? 'requested' : 'none',
      event: i % 2 === 0 ? 'REQUEST' : 'REQUEST_FAILED',
      source: { kind: 'opt_in', requestedAt: t0 + i * 1000, messageId: null },
      expiresAt: null, provisional: false, reason: i % 2 === 0 ? 'pending_reply' : 'no_permission',
    }));
    const opened = await openStore(parseStoreSpec(`sqlite:${file}`, scratch.dir));
    try {
      const now = entries.at(-1)!.at;
      const r = await opened.store.commitThread({ thread: t, expectedVersion: 0, record: emptyRecord(), eventIds: [], now, until: now, history: entries });
      expect(r.ok).toBe(true);
    } finally {
      await opened.close();
    }
    return entries;
  };

  it(`replays the newest ${REPLAY_LIMIT} steps of a longer history, and says on stderr that it was cut`, async () => {
    const t = { pageId: '7001', psid: '8002' };
    const entries = await fill(t, REPLAY_LIMIT + 1);
    const run = await cli(['chart', '--thread', `${t.pageId}:${t.psid}`, '--store', `sqlite:${file}`, '--format', 'html'], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toBe('');
    const replay = replayOf(run.stdout);
    expect(asStored(replay.steps)).toEqual(entries.slice(1));
    expect(replay.start).toBe(entries[1]!.from);
    expect(replay.cut).toBe(true);
    expect(run.stdout).toContain('id="steps-cut"');
  });

  it(`replays all of a history of exactly ${REPLAY_LIMIT} steps without a word`, async () => {
    const t = { pageId: '7001', psid: '8003' };
    const entries = await fill(t, REPLAY_LIMIT);
    const run = await cli(['chart', '--thread', `${t.pageId}:${t.psid}`, '--store', `sqlite:${file}`, '--format', 'html'], { cwd: scratch.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const replay = replayOf(run.stdout);
    expect(asStored(replay.steps)).toEqual(entries);
    expect(replay.cut).toBe(false);
  });
});
