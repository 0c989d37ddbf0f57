import { describe, expect, it } from 'vitest';
import { ContentionError, CorruptRecordError } from '@callperm/core';

/** An id as a hostile webhook could send it: a newline, a forged log line and a terminal escape. */
const forged = { pageId: '1001\n2026-12-05 INFO forged', psid: '2002\u001b[2J\r' };

describe('ids in error messages are escaped', () => {
  it('ContentionError and CorruptRecordError keep a hostile id on one line', () => {
    for (const e of [new ContentionError(forged, 3), new CorruptRecordError(forged, 'bad bytes')]) {
      expect(e.message).not.toMatch(/[\n\r]/);
      expect(e.message).not.toContain('\u001b');
    }
  });
});
