import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Instant } from '../../thread.js';
import type { EntryContext } from '../EntryContext.js';
import { idOrNull } from '../decodeCallItem.js';
import { MetaId } from '../MetaId.js';

/**
 * What one WhatsApp `changes[].value` tells the items inside it: the business
 * phone number the thread lives on (`metadata.phone_number_id`, the thread's
 * `pageId`), the number as people dial it (`metadata.display_phone_number`, the
 * business end of a call's `to`/`from`, when sent) and the entry's `time`, if any
 * (WhatsApp sends none: each item carries its own `timestamp`). `entry.id` is the
 * WhatsApp Business Account, no thread's id: it is never used.
 *
 * @example
 * const ctx: WhatsAppContext = { pageId: '106540352242922', displayPhoneNumber: '15550783881', time: null };
 */
export interface WhatsAppContext extends EntryContext {
  readonly pageId: string;
  readonly displayPhoneNumber: string | null;
}

/** `value.metadata`: `phone_number_id` is required to place anything in a thread. */
const Metadata = t.intersection([
  t.type({ phone_number_id: MetaId }),
  t.partial({ display_phone_number: t.unknown }),
], 'WhatsAppMetadata');

/**
 * Reads a change's `value.metadata` leniently: null when it names no business
 * phone number (the change is skipped: no thread can be named).
 *
 * @example
 * whatsAppContext({ metadata: { phone_number_id: '1065', display_phone_number: '15550783881' } }, null);
 * // { pageId: '1065', displayPhoneNumber: '15550783881', time: null }
 */
export const whatsAppContext = (value: Readonly<Record<string, unknown>>, time: Instant | null): WhatsAppContext | null => {
  const metadata = Metadata.decode(value.metadata);
  if (!isRight(metadata)) return null;
  return { pageId: metadata.right.phone_number_id, displayPhoneNumber: idOrNull(metadata.right.display_phone_number), time };
};
