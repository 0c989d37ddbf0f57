import type { RefusalCounts } from '../codecs/DecodeReport.js';
import type { IngestReport } from './CallPermissions.js';
import type { EventsCommitted } from './commitSteps.js';

/** Counts what `ingest` did, event by event. */
export class IngestTally {
  applied = 0;
  unchanged = 0;
  duplicates = 0;
  ignored = 0;

  /** One event: seen before, with no permission meaning (`changed` null), changed its thread or not. */
  count(first: boolean, changed: boolean | null): void {
    if (!first) this.duplicates += 1;
    else if (changed === null) this.ignored += 1;
    else if (changed) this.applied += 1;
    else this.unchanged += 1;
  }

  /** Every event of one thread's commit. */
  add(o: EventsCommitted): void {
    for (let i = 0; i < o.first.length; i += 1) this.count(o.first[i] === true, o.changed[i] === true);
  }

  report(refused: RefusalCounts): IngestReport {
    return { applied: this.applied, unchanged: this.unchanged, duplicates: this.duplicates, ignored: this.ignored, refused };
  }
}
