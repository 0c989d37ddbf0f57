import type { HistoryEntry, PermissionRecord, PermissionStore, Thread } from '@callperm/core';
import { emptyRecord, threadKey } from '@callperm/core';
import assert from 'node:assert/strict';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const T0 = Date.UTC(2026, 0, 1);

const tagged = (tag: number, dueAt: number | null): PermissionRecord => ({ ...emptyRecord(), lastEventAt: tag, dueAt });
const entry = (at: number, tag: string): HistoryEntry => ({
  at, recordedAt: at, from: 'none', to: 'approved', event: 'REPLY_APPROVE',
  source: { kind: 'webhook', eventId: tag, optInMessageId: null }, expiresAt: null, provisional: false, reason: null,
});

/**
 * Threads of both channels in one store: a WhatsApp thread and a Messenger thread
 * with the same two ids are two rows, two histories, two due entries, and `due`
 * names each with its channel.
 */
export const channelChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'a WhatsApp thread and a Messenger thread with the same ids are kept apart, and due names each with its channel',
    body: () => ctx.withStore(async (store) => {
      const messenger = ctx.freshThread();
      const whatsapp: Thread = { channel: 'whatsapp', pageId: messenger.pageId, psid: messenger.psid };
      const c1 = await store.commitThread({ thread: messenger, expectedVersion: 0, record: tagged(1, T0), eventIds: [], now: T0, until: T0, history: [entry(T0, 'm')] });
      const c2 = await store.commitThread({ thread: whatsapp, expectedVersion: 0, record: tagged(2, T0 + 1), eventIds: [], now: T0, until: T0, history: [entry(T0, 'w')] });
      assert.equal(c1.ok && c2.ok, true);
      assert.equal((await store.get(messenger))?.record.lastEventAt, 1);
      assert.equal((await store.get(whatsapp))?.record.lastEventAt, 2);
      const tagsOf = (h: HistoryEntry[]) => h.map((e) => (e.source.kind === 'webhook' ? e.source.eventId : ''));
      assert.deepEqual(tagsOf(await store.history(messenger)), ['m']);
      assert.deepEqual(tagsOf(await store.history(whatsapp)), ['w']);
      const due = (await store.due(T0 + 1, 10_000)).map(threadKey);
      assert.ok(due.includes(threadKey(messenger)), 'due lists the Messenger thread');
      assert.ok(due.includes(threadKey(whatsapp)), 'due lists the WhatsApp thread with its channel');
      assert.deepEqual(await store.retire(whatsapp, 1), { ok: true, version: 0 });
      assert.equal(await store.get(whatsapp), null);
      assert.equal((await store.get(messenger))?.version, 1);
      assert.deepEqual(await store.retire(messenger, 1), { ok: true, version: 0 });
    }),
  },
];
