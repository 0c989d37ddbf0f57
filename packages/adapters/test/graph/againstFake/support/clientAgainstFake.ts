import { afterEach } from 'vitest';
import { graphApi, type GraphApiClient, type GraphApiOptions } from '@callperm/adapters/graph';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi, type FakeGraphApiOptions } from '@callperm/testing';

/**
 * Registers cleanup for the current test file and returns a starter: a fake Graph
 * API on loopback, a graphApi client pointed at it with fast retries, and the
 * virtual clock they share. Whatever a test started is closed after it.
 */
export const clientAgainstFake = () => {
  let fake: FakeGraphApi | undefined;
  let graph: GraphApiClient | undefined;
  afterEach(async () => {
    graph?.close();
    await fake?.close();
    graph = undefined;
    fake = undefined;
  });
  return async (fakeOptions: FakeGraphApiOptions = {}, clientOptions: Partial<GraphApiOptions> = {}) => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    fake = await createFakeGraphApi({ clock, ...fakeOptions });
    graph = graphApi({
      accessToken: 'token', baseUrl: fake.url, clock, ...clientOptions,
      retry: { baseDelayMs: 1, maxDelayMs: 5, ...clientOptions.retry },
    });
    return { fake, graph, clock };
  };
};
