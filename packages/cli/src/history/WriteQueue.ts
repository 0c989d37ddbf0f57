/**
 * Runs fire-and-forget writes, one at a time per key (so a thread's steps are
 * stored in order and trimmed correctly) and in parallel across keys; a caller
 * waits for them later and learns whether any failed, without an unhandled
 * rejection in between.
 *
 * @example
 * const q = new WriteQueue();
 * q.enqueue('page:psid', () => pool.query(insert, params));
 * await q.drain();
 */
export class WriteQueue {
  readonly #tails = new Map<string, Promise<void>>();
  #failure: unknown = undefined;

  enqueue(key: string, write: () => Promise<unknown>): void {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const tail: Promise<void> = previous.then(write).then(
      () => undefined,
      (e: unknown) => {
        this.#failure ??= e;
      },
    ).finally(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    this.#tails.set(key, tail);
  }

  /** Waits for every enqueued write; rejects once with the first failure seen. */
  async drain(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error('A transition log write failed.', { cause: failure });
  }
}
