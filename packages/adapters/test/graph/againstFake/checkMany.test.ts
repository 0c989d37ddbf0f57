import { describe, expect, it } from 'vitest';
import { clientAgainstFake } from './support/clientAgainstFake.js';
import { type FakeGraphApi, type FakeGraphApiOptions } from '@callperm/testing';

const start = clientAgainstFake();

const setup = (options: FakeGraphApiOptions = {}, accessToken: string | ((p: string) => string) = 'token') =>
  start(options, { accessToken });

const onePage = (n: number, pageId = '1001') => Array.from({ length: n }, (_, i) => ({ pageId, psid: `${5000 + i}` }));
const batches = (f: FakeGraphApi) => f.requests.filter((r) => r.endpoint === 'batch');
const itemsOf = (r: { body: unknown }) => JSON.parse((r.body as { batch: string }).batch) as { relative_url: string }[];

describe('checkMany', () => {
  it('checks 120 threads of one Page in exactly 3 batch requests (50 + 50 + 20), results in order', async () => {
    const { fake, graph } = await setup();
    const threads = onePage(120);
    threads.filter((_, i) => i % 7 === 0).forEach((t) => fake.grant(t));
    const items = await graph.checkMany(threads);
    expect(batches(fake).map((r) => itemsOf(r).length)).toEqual([50, 50, 20]);
    expect(fake.requests).toHaveLength(3);
    expect(items.map((i) => i.thread)).toEqual(threads);
    expect(items.map((i) => i.result.ok && i.result.value.status)).toEqual(threads.map((_, i) => (i % 7 === 0 ? 'has_permission' : 'no_permission')));
  });

  it('asks for the items Meta left null again, and only those', async () => {
    const { fake, graph } = await setup();
    fake.inject('batch', { kind: 'nulls', count: 7 });
    const items = await graph.checkMany(onePage(50));
    const sent = batches(fake).map(itemsOf);
    expect(sent.map((b) => b.length)).toEqual([50, 7]);
    expect(sent[1]).toEqual(sent[0]?.slice(43));
    expect(items.every((i) => i.result.ok)).toBe(true);
  });

  it('gives up on items still null after the bounded retries, as transient failures', async () => {
    const { fake, graph } = await setup();
    fake.inject('batch', { kind: 'nulls', count: 2 }, { kind: 'nulls', count: 2 }, { kind: 'nulls', count: 2 });
    const items = await graph.checkMany(onePage(3));
    expect(batches(fake)).toHaveLength(3); // the first try and 2 retries
    expect(items.map((i) => (i.result.ok ? 'ok' : i.result.error.kind))).toEqual(['ok', 'transient', 'transient']);
  });

  it('keeps per-item errors with their item', async () => {
    const { graph } = await setup({ accessTokens: { '1001': 'good', '1002': 'good' } }, (pageId) => (pageId === '1001' ? 'good' : 'stale'));
    const threads = [...onePage(2, '1001'), ...onePage(2, '1002')];
    const items = await graph.checkMany(threads);
    expect(items.map((i) => (i.result.ok ? 'ok' : `${i.result.error.kind}:${i.result.error.code}`))).toEqual(['ok', 'ok', 'auth:190', 'auth:190']);
  });

  it('groups by Page so each batch carries that Page\'s own token', async () => {
    const tokens: Record<string, string> = { '1001': 'token-a', '1002': 'token-b' };
    const { fake, graph } = await setup({ accessTokens: tokens }, (pageId) => tokens[pageId] ?? '');
    const threads = [...onePage(3, '1001'), ...onePage(2, '1002'), ...onePage(1, '1001')];
    const items = await graph.checkMany(threads);
    expect(items.every((i) => i.result.ok)).toBe(true);
    const sent = batches(fake).map((r) => [r.token, itemsOf(r).map((i) => i.relative_url.split('/')[1])]);
    expect(sent).toHaveLength(2);
    expect(sent).toContainEqual(['token-a', ['1001', '1001', '1001', '1001']]);
    expect(sent).toContainEqual(['token-b', ['1002', '1002']]);
  });

  it('reads every response shape inside the batch', async () => {
    const { fake, graph } = await setup({ variant: 'alternate' });
    fake.grant({ pageId: '1001', psid: '5000' });
    const [first] = await graph.checkMany(onePage(1));
    expect(first?.result.ok && first.result.value.status).toBe('has_permission');
  });

  it('a batch is a read though sent as a POST: a dropped connection is retried', async () => {
    const { fake, graph } = await setup();
    fake.inject('batch', { kind: 'reset' });
    const items = await graph.checkMany(onePage(2));
    expect(items.every((i) => i.result.ok)).toBe(true);
    expect(batches(fake)).toHaveLength(2);
  });

  it('a whole-batch failure lands on each of its items', async () => {
    const { fake, graph } = await setup();
    fake.inject('batch', { kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const items = await graph.checkMany(onePage(2));
    expect(items.map((i) => !i.result.ok && i.result.error.kind)).toEqual(['transient', 'transient']);
  });
});
