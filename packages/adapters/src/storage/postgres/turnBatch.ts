/** One queued call of a {@link TurnBatch}: its input and how to settle its promise. */
export interface Waiter<I, O> {
  readonly input: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: Error) => void;
}

/** Splits the queue at a flush: `batch` runs now, `rest` (in its order) waits for the next flush. */
export type TakeBatch<I, O> = (queue: readonly Waiter<I, O>[]) => {
  readonly batch: Waiter<I, O>[];
  readonly rest: Waiter<I, O>[];
};

/**
 * Runs one batch: must settle every waiter (each may fail on its own); a
 * rejection of the returned promise rejects every waiter it left unsettled.
 */
export type RunBatch<I, O> = (batch: readonly Waiter<I, O>[]) => Promise<void>;

/** Calls coalesced per event-loop turn. */
export interface TurnBatch<I, O> {
  /** Queues `input` for this turn's flush; settles when its batch has run. */
  add(input: I): Promise<O>;
  /** Flushes everything queued now (again and again while calls are deferred) and waits for every batch in flight. Never rejects. */
  drain(): Promise<void>;
  /**
   * Resolves once every call added before it has settled (in its own batch, at
   * its own flush: nothing is flushed early); calls added later are not waited
   * for. Never rejects.
   */
  settled(): Promise<void>;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

const takeAll = <I, O>(queue: readonly Waiter<I, O>[]): { batch: Waiter<I, O>[]; rest: Waiter<I, O>[] } =>
  ({ batch: [...queue], rest: [] });

/**
 * Coalesces the calls issued in one event-loop turn into one batch, run at a
 * `setImmediate` after the turn: concurrent callers (webhook deliveries in
 * flight) then share one round trip instead of queueing for pooled connections
 * one statement each. Batches of successive turns may run concurrently. `take`
 * may defer calls that cannot share a batch to the next flush, keeping their
 * order; that flush waits until the batch they were deferred from has settled.
 *
 * @example
 * const gets = turnBatch<Thread, Versioned | null>(async (batch) => { ... each waiter.resolve(...) ... });
 * const [a, b] = await Promise.all([gets.add(t1), gets.add(t2)]); // one batch
 */
export const turnBatch = <I, O>(run: RunBatch<I, O>, take: TakeBatch<I, O> = takeAll): TurnBatch<I, O> => {
  let queue: Waiter<I, O>[] = [];
  let scheduled = false;
  /** A batch left calls behind: the next flush waits for it. */
  let held = false;
  const inFlight = new Set<Promise<void>>();

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  function flush(): void {
    scheduled = false;
    if (queue.length === 0 || held) return;
    let taken: ReturnType<TakeBatch<I, O>>;
    try {
      taken = take(queue);
    } catch (e) {
      // Never throw out of a setImmediate callback (that would end the process): fail the queued calls instead.
      const failed = queue;
      queue = [];
      for (const w of failed) w.reject(asError(e));
      return;
    }
    const { batch, rest } = taken;
    queue = rest;
    if (batch.length === 0) return;
    const running: Promise<void> = new Promise<void>((done) => done(run(batch))) // a synchronous throw rejects too
      .catch((e: unknown) => {
        const error = asError(e);
        for (const w of batch) w.reject(error); // settled waiters ignore it
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (rest.length === 0) return;
    // The deferred calls clashed with this batch: they (and the calls queued behind them) run once it
    // has settled, so they see its outcome (a chained write its version) instead of racing it.
    held = true;
    void running.then(() => {
      held = false;
      schedule();
    });
  }

  return {
    add: (input) => new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      schedule();
    }),
    async drain(): Promise<void> {
      while (queue.length > 0 || inFlight.size > 0) {
        flush();
        await Promise.all(inFlight);
      }
    },
    settled(): Promise<void> {
      // The batches running now never reject; a queued call is wrapped to tell when it settles
      // (the queue is only walked here, so the calls themselves pay nothing for it).
      const waits: Promise<unknown>[] = [...inFlight];
      queue = queue.map((w) => {
        let done!: () => void;
        waits.push(new Promise<void>((resolve) => { done = resolve; }));
        return {
          input: w.input,
          resolve: (value) => { done(); w.resolve(value); },
          reject: (error) => { done(); w.reject(error); },
        };
      });
      return Promise.all(waits).then(() => undefined);
    },
  };
};
