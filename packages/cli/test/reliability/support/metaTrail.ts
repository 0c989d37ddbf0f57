import { threadKey, type Thread } from '@callperm/core';
import type { FakeGraphApi } from '@callperm/testing';

/**
 * One thread's story as the fake Meta recorded it, in order, one line per record
 * (sends with their outcome, the person's messages and replies): what a failure
 * prints next to the thread's consent history.
 *
 * @example
 * metaTrail(fake, thread); // ['1772442000000 message', '1772442000000 send accepted', ...]
 */
export const metaTrail = (fake: FakeGraphApi, thread: Thread): string[] => {
  const key = threadKey(thread);
  const mine = (t: Thread | undefined): boolean => t !== undefined && threadKey(t) === key;
  return [
    ...fake.sends.filter((s) => s.psid !== undefined && mine({ pageId: s.pageId, psid: s.psid }))
      .map((s) => ({ seq: s.seq, line: `${s.at} send ${s.outcome}${s.refusal ? ` ${s.refusal}` : ''}${s.fault ? ` (${s.fault})` : ''}` })),
    ...fake.inbounds.filter((i) => mine(i.thread)).map((i) => ({ seq: i.seq, line: `${i.at} message` })),
    ...fake.replies.filter((r) => mine(r.thread)).map((r) => ({ seq: r.seq, line: `${r.at} reply ${r.response}` })),
  ].sort((a, b) => a.seq - b.seq).map((x) => x.line);
};
