import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { graphErrorArb, sendResponseArb, withUnknownFieldsArb } from '../../../testing/src/arbitraries/index.js';
import { parseGraphError, parseSendResponse } from '../../src/codecs/index.js';

describe('parseSendResponse', () => {
  test.prop([sendResponseArb.chain(({ payload, expected }) => withUnknownFieldsArb(payload).map((p) => ({ p, expected })))])(
    'reads the message id, whatever other fields come with it',
    ({ p, expected }) => {
      expect(parseSendResponse(p)).toEqual({ ok: true, value: expected });
    },
  );

  test.prop([fc.jsonValue()])('never throws on any JSON', (json) => {
    const r = parseSendResponse(json);
    if (!r.ok) expect(r.error.reason).toBe('invalid_payload');
  });

  it('refuses a response without a message id', () => {
    for (const body of [{ recipient: { id: '1' } }, { message_id: '' }, { message_id: null }, 'ok']) {
      const r = parseSendResponse(body);
      expect(r.ok ? null : r.error.what).toBe('send_response');
    }
    const r = parseSendResponse({ recipient: { id: '1' } });
    expect(r.ok ? null : r.error.issues[0]?.path).toBe('$.message_id');
  });
});

describe('parseGraphError', () => {
  test.prop([graphErrorArb])('decodes every member Meta may send; wrongly typed optional ones are dropped', ({ payload, expected }) => {
    expect(parseGraphError(payload)).toEqual({ ok: true, value: expected });
  });

  test.prop([graphErrorArb.chain(({ payload, expected }) =>
    withUnknownFieldsArb(payload, ['error_data']).map((p) => ({ p, expected })))])(
    'unknown fields never change the result',
    ({ p, expected }) => {
      expect(parseGraphError(p)).toEqual({ ok: true, value: expected });
    },
  );

  test.prop([fc.jsonValue()])('never throws on any JSON', (json) => {
    const r = parseGraphError(json);
    if (!r.ok) expect(r.error.what).toBe('graph_error');
  });

  it('requires code and message', () => {
    const noCode = parseGraphError({ error: { message: 'x' } });
    expect(noCode.ok ? null : noCode.error.issues[0]?.path).toBe('$.error.code');
    const noMessage = parseGraphError({ error: { code: 4 } });
    expect(noMessage.ok ? null : noMessage.error.issues[0]?.path).toBe('$.error.message');
    const notAnError = parseGraphError({ data: [] });
    expect(notAnError.ok ? null : notAnError.error.issues[0]?.path).toBe('$.error');
  });
});
