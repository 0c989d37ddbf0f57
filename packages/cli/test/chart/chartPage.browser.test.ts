import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chartModel, permissionMachine, type LifecycleState } from '@callperm/core';
import { graphApi } from '@callperm/adapters/graph';
import { createFakeGraphApi, VirtualClock } from '@callperm/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliService } from '../../src/createCliService.js';
import { openStore } from '../../src/store/openStore.js';
import { parseStoreSpec } from '../../src/store/parseStoreSpec.js';
import { cli, scratchDir } from '../support/captureIo.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI) {
  console.warn(`[callperm cli tests] skipping the chart page browser test: no Chromium at ${CHROMIUM} (run .ci/install-chromium.sh, or set CHROMIUM_PATH).`);
}
const screenshot = fileURLToPath(new URL('../../../../docs/chart.png', import.meta.url));
const DAY = 86_400_000;
const thread = { pageId: '4242', psid: '7007' };

/**
 * The thread's life, and the state after each step of its consent history (the
 * first entry is the start). Messages only open the messaging window: they
 * change no permission, so they are not in the history; the check each request
 * takes first (no check on record within the hour) is.
 */
const expectedStates: LifecycleState[] = [
  'none', // start
  'none', 'requested', 'requested', // REMOTE_SYNC (the check before asking), REQUEST, REQUEST_SENT
  'approved', // REPLY_APPROVE
  'expired', // TICK, 8 days later
  'expired', 'requested', 'requested', // REMOTE_SYNC, REQUEST, REQUEST_SENT
  'rejected', // REPLY_REJECT
];
const expectedEvents = [
  'REMOTE_SYNC', 'REQUEST', 'REQUEST_SENT', 'REPLY_APPROVE', 'TICK', 'REMOTE_SYNC', 'REQUEST', 'REQUEST_SENT', 'REPLY_REJECT',
];

/** Lives the thread through the CLI's own service on SQLite and the fake Graph API, then writes its chart page from the store's history. */
const writeReplayPage = async (dir: string): Promise<string> => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const fake = await createFakeGraphApi({ clock });
  const graph = graphApi({ accessToken: 't', baseUrl: fake.url, clock });
  const opened = await openStore(parseStoreSpec('sqlite:replay.sqlite', dir));
  try {
    const service = createCliService(opened, graph, { clock });
    const message = async () => {
      fake.inbound(thread);
      await service.apply(thread, [{ type: 'USER_MESSAGE', at: clock.now() }]);
    };
    await message();
    clock.advance('PT1M');
    expect((await service.request(thread)).ok).toBe(true);
    clock.advance('PT5M');
    await service.ingest([{ kind: 'permission_reply', id: `cpr:${thread.pageId}:${thread.psid}:1`, thread, at: clock.now(), response: 'approve', expiresAt: clock.now() + 7 * DAY }]);
    clock.advance('P8D');
    await service.apply(thread, []);
    await message();
    clock.advance('PT1M');
    expect((await service.request(thread)).ok).toBe(true);
    clock.advance('PT10M');
    await service.ingest([{ kind: 'permission_reply', id: `cpr:${thread.pageId}:${thread.psid}:2`, thread, at: clock.now(), response: 'reject', expiresAt: null }]);
  } finally {
    await opened.close();
    graph.close();
    await fake.close();
  }
  const run = await cli(['chart', '--thread', `${thread.pageId}:${thread.psid}`, '--store', 'sqlite:replay.sqlite', '--out', 'replay.html'], { cwd: dir });
  expect(run.code).toBe(0);
  return join(dir, 'replay.html');
};

describe.runIf(available || process.env.CI)('the chart page in headless Chromium', () => {
  const scratch = scratchDir();
  let browser: Browser;
  let page: Page;
  const model = chartModel(permissionMachine);

  beforeAll(async () => {
    const file = await writeReplayPage(scratch.dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1150 } });
    const offline: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) offline.push(r.url()); });
    await page.goto(pathToFileURL(file).href);
    expect(offline, 'the page loads nothing from the network').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    scratch.cleanup();
  });

  it('draws every state', async () => {
    expect(await page.locator('#chart .node.state').count()).toBe(model.states.length);
    for (const s of model.states) expect(await page.locator(`#state-${s}`).textContent()).toContain(s);
  });

  it('draws every transition, labelled with its event', async () => {
    for (const [i, t] of model.transitions.entries()) {
      const edge = page.locator(`#chart .edge.t-${i}`);
      expect(await edge.count(), `transition ${i} (${t.from} -${t.event}-> ${t.to})`).toBe(1);
      expect(await edge.textContent()).toContain(t.event);
      expect(await edge.getAttribute('id')).toBe(`edge-${t.from}-${t.to}`);
    }
  });

  const current = async (): Promise<(string | null)[]> =>
    Promise.all((await page.locator('#chart .node.current').all()).map((n) => n.getAttribute('id')));

  it('highlights the right state at each step of the replay, forwards and back', async () => {
    await page.click('#step-first');
    const last = expectedStates.length - 1;
    for (let step = 0; step <= last; step += 1) {
      if (step > 0) await page.click('#step-next');
      expect(await page.locator('body').getAttribute('data-step')).toBe(String(step));
      expect(await current()).toEqual([`state-${expectedStates[step]}`]);
      const taken = await page.locator('#chart .edge.taken').count();
      expect(taken).toBe(step === 0 ? 0 : 1);
    }
    await page.click('#step-next'); // past the end: stays on the last step
    expect(await current()).toEqual([`state-${expectedStates[last]}`]);
    for (let step = last - 1; step >= 0; step -= 1) {
      await page.click('#step-prev');
      expect(await current()).toEqual([`state-${expectedStates[step]}`]);
    }
  });

  it('replays the store\'s history: one list item per entry, with its event and source', async () => {
    const items = page.locator('#steps li');
    expect(await items.count()).toBe(expectedEvents.length + 1);
    const data = JSON.parse((await page.locator('#callperm-data').textContent())!) as { replay: { steps: { event: string; via: string }[] } };
    expect(data.replay.steps.map((st) => st.event)).toEqual(expectedEvents);
    for (const [i, st] of data.replay.steps.entries()) {
      const item = (await items.nth(i + 1).textContent())!;
      expect(item).toContain(st.event);
      expect(item).toContain(st.via);
    }
  });

  it('marks the edge of the step: REPLY_APPROVE from requested to approved', async () => {
    await page.click('#step-first');
    for (let i = 0; i < expectedEvents.indexOf('REPLY_APPROVE') + 1; i += 1) await page.click('#step-next');
    expect(await page.locator('#chart .edge.taken').getAttribute('id')).toBe('edge-requested-approved');
    expect(await page.locator('#transitions tr.taken').count()).toBe(1);
  });

  it('saves a screenshot of the replay for the README', async () => {
    mkdirSync(join(screenshot, '..'), { recursive: true });
    await page.screenshot({ path: screenshot });
    expect(existsSync(screenshot)).toBe(true);
  });
});
