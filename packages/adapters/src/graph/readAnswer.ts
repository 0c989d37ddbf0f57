import { err, ok, parsePermissionCheck, type GraphFailure, type RemotePermission, type Result } from '@callperm/core';
import { isCallAcknowledged } from './parseCallResponse.js';
import type { GraphError } from './GraphError.js';
import type { GraphReply } from './graphTransport.js';

/**
 * A Graph call's answer read by `parse`: the transport's failure as it is, the
 * parsed value, or, for a 2xx `parse` cannot read (null), a scrubbed
 * `unexpected_shape` failure (for a write, Meta probably acted: the error says
 * `processed: 'unknown'`). The one way every method of both clients reads an answer.
 *
 * @example
 * return readAnswer(await transport.request(call), parseWhatsAppSend);
 */
export const readAnswer = <T>(reply: Result<GraphReply, GraphError>, parse: (json: unknown) => T | null): Result<T, GraphFailure> => {
  if (!reply.ok) return reply;
  const value = parse(reply.value.json);
  return value !== null ? ok(value) : err(reply.value.fail({ from: 'response', httpStatus: reply.value.status, problem: 'unexpected_shape' }));
};

/**
 * {@link readAnswer} for actions Meta answers with `{"success": true}` (terminate, reject): `null` once acknowledged.
 *
 * @example
 * return readAcknowledged(await callAction(pageId, 'call_terminate', 'read', json));
 */
export const readAcknowledged = (reply: Result<GraphReply, GraphError>): Result<null, GraphFailure> => {
  const answer = readAnswer(reply, (json) => (isCallAcknowledged(json) ? true : null));
  return answer.ok ? ok(null) : answer;
};

/**
 * {@link readAnswer} for a permission check (either channel's shape): Meta's trace id kept with the answer.
 *
 * @example
 * return readPermissionCheck(await transport.request(checkCall));
 */
export const readPermissionCheck = (reply: Result<GraphReply, GraphError>): Result<RemotePermission, GraphFailure> => {
  const answer = readAnswer(reply, (json) => {
    const decoded = parsePermissionCheck(json);
    return decoded.ok ? decoded.value : null;
  });
  return answer.ok && reply.ok && reply.value.traceId !== null ? ok({ ...answer.value, fbtraceId: reply.value.traceId }) : answer;
};
