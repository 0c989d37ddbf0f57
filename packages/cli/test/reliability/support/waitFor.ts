/**
 * Polls `check` until it holds or `ms` of wall time passed; resolves to whether
 * it held. For what a process does on its own wall-clock timer (serve's sweep),
 * never to let virtual time pass.
 *
 * @example
 * await waitFor(async () => (await store.due(now, 1)).length === 0, 2_000);
 */
export const waitFor = async (check: () => Promise<boolean>, ms: number): Promise<boolean> => {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
};
