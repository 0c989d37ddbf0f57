import * as t from 'io-ts';
import type { SentOptIn } from '../ports/GraphApi.js';
import { ok } from '../result.js';
import type { Result } from '../result.js';
import type { DecodeReport } from './DecodeReport.js';
import { decodeWith } from './decodeWith.js';
import { MetaId } from './MetaId.js';

/**
 * Meta's Send API acknowledgement. `recipient` is documented but not needed: a
 * `message_id` is what proves Meta took the message.
 */
const SendResponse = t.type({ message_id: MetaId }, 'SendResponse');

/**
 * Decodes the answer to `POST /{page-id}/messages` (the `calling_optin` opt-in):
 * `{"recipient":{"id":"<PSID>"},"message_id":"<mid>"}`. Unknown fields are ignored.
 *
 * @example
 * const r = parseSendResponse({ recipient: { id: '5678' }, message_id: 'm_AbC' });
 * if (r.ok) r.value.messageId; // 'm_AbC'
 */
export const parseSendResponse = (json: unknown): Result<SentOptIn, DecodeReport> => {
  const decoded = decodeWith('send_response', SendResponse, json);
  return decoded.ok ? ok({ messageId: decoded.value.message_id }) : decoded;
};
