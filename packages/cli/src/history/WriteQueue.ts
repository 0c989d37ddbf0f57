/**
 * Tracks fire-and-forget writes so a caller can wait for them later and learn
 * whether any failed, without an unhandled rejection in between.
 *
 * @example
 * const q = new WriteQueue();
 * q.track(client.rpush(key, json));
 * await q.drain();
 */
export class WriteQueue {
  readonly #inFlight = new Set<Promise<unknown>>();
  #failure: unknown = undefined;

  track(write: Promise<unknown>): void {
    const p = write.then(
      () => undefined,
      (e: unknown) => {
        this.#failure ??= e;
      },
    ).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  /** Waits for every tracked write; rejects once with the first failure seen. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error('A transition log write failed.', { cause: failure });
  }
}
