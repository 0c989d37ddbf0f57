import { afterEach } from 'vitest';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi, type FakeGraphApiOptions } from '@callperm/testing';

/**
 * Starts fake Graph APIs on a virtual clock (2026-06-01) and closes every one
 * after the test (closing one the test closed already is a no-op).
 *
 * @example
 * const start = fakePerTest();
 * const fake = await start({ variant: 'data' });
 */
export const fakePerTest = (): ((options?: FakeGraphApiOptions) => Promise<FakeGraphApi>) => {
  const started: FakeGraphApi[] = [];
  afterEach(async () => {
    for (const fake of started.splice(0)) await fake.close();
  });
  return async (options = {}) => {
    const fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 5, 1)), ...options });
    started.push(fake);
    return fake;
  };
};
