/** A registered deadline: `cancel` it when the work finished in time. */
export interface Deadline {
  cancel(): void;
}

interface Entry extends Deadline {
  readonly at: number;
  late: (() => void) | null;
}

/**
 * Deadlines of one fixed length on one timer. Every delivery needs a budget
 * timer, but a `setTimeout` per delivery (plus its clear) costs more than
 * verifying the signature; since all deadlines here are `now + ms` for the same
 * `ms`, they fall due in the order they were added, so a FIFO queue with one
 * timer for its head serves them all. Entries finished in time leave the queue as
 * soon as they reach its head. The timer is unref'd: it never keeps a process alive.
 *
 * @example
 * const queue = deadlineQueue(3000);
 * const d = queue.add(() => console.log('late'));
 * d.cancel(); // finished in time
 */
export const deadlineQueue = (ms: number) => {
  const wait = Math.max(0, ms);
  let entries: Entry[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | null = null;

  const dropFinished = (): void => {
    while (head < entries.length && entries[head]?.late === null) head += 1;
    if (head === entries.length) {
      entries = [];
      head = 0;
    } else if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head);
      head = 0;
    }
  };

  const arm = (): void => {
    const next = entries[head];
    if (timer !== null || next === undefined) return;
    timer = setTimeout(fire, Math.max(0, Math.ceil(next.at - performance.now())));
    timer.unref();
  };

  const fire = (): void => {
    timer = null;
    const now = performance.now();
    for (let e = entries[head]; e !== undefined && (e.late === null || e.at <= now); e = entries[head]) {
      head += 1;
      const late = e.late;
      e.late = null;
      late?.();
    }
    dropFinished();
    arm();
  };

  return {
    /** Calls `late` once `ms` have passed, unless the returned deadline is cancelled first. */
    add(late: () => void): Deadline {
      const entry: Entry = {
        at: performance.now() + wait,
        late,
        cancel() {
          if (entry.late === null) return;
          entry.late = null;
          if (entries[head] === entry) dropFinished();
        },
      };
      entries.push(entry);
      arm();
      return entry;
    },
  };
};

export type DeadlineQueue = ReturnType<typeof deadlineQueue>;
