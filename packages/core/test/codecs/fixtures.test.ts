import { describe, expect, it } from 'vitest';
import { parseGraphError, parsePermissionCheck, parseSendResponse, parseWebhook } from '../../src/codecs/index.js';
import type { Result } from '../../src/result.js';
import type { CallEvent, WebhookEvent } from '../../src/webhookEvent.js';
import { fixture } from './fixture.js';

const PAGE = '106378625516323';
const PSID = '5275811702471834';
const CALL = 'c_M5YPhGE5jm0L_PMQdScLlYJlR7tU_f0rgXiTQ';

const value = <T, E>(r: Result<T, E>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

const events = (name: string): WebhookEvent[] => value(parseWebhook(fixture(name)));
const withoutIds = (es: readonly WebhookEvent[]): unknown[] => es.map(({ id: _id, ...rest }) => rest);

describe('permission check fixtures', () => {
  it('variant A (guide): flat, lower-case, seconds', () => {
    expect(value(parsePermissionCheck(fixture('check-variant-a.json')))).toEqual({
      status: 'has_permission',
      rawStatus: 'has_permission',
      expiresAt: 1745343479 * 1000,
      request: { canPerform: false, limits: [{ period: 'PT24H', max: 2, used: 1 }] },
      startCall: { canPerform: true, limits: [] },
    });
  });

  it('variant B (alternate export): can_perform_action and max_allowed_per_user read the same as A', () => {
    const b = value(parsePermissionCheck(fixture('check-variant-b.json')));
    expect(b).toEqual(value(parsePermissionCheck(fixture('check-variant-a.json'))));
  });

  it('variant C (reference): data-wrapped, upper-case status kept raw', () => {
    expect(value(parsePermissionCheck(fixture('check-variant-c.json')))).toEqual({
      status: 'has_permission',
      rawStatus: 'HAS_PERMISSION',
      expiresAt: 1745343479000,
      request: { canPerform: false, limits: [{ period: 'PT24H', max: 2, used: 2 }] },
      startCall: { canPerform: true, limits: [] },
    });
  });

  it('variant C without permission: no expiration_time reads as no known expiry', () => {
    expect(value(parsePermissionCheck(fixture('check-variant-c-no-permission.json')))).toEqual({
      status: 'no_permission',
      rawStatus: 'NO_PERMISSION',
      expiresAt: null,
      request: { canPerform: true, limits: [{ period: 'PT24H', max: 2, used: 0 }] },
      startCall: { canPerform: false, limits: [] },
    });
  });

  it('variant C with an empty data array means no permission', () => {
    expect(value(parsePermissionCheck(fixture('check-variant-c-empty.json')))).toEqual({
      status: 'no_permission', rawStatus: '', expiresAt: null, request: null, startCall: null,
    });
  });
});

describe('send response fixtures', () => {
  it('the documented sample (placeholders) yields its message id', () => {
    expect(value(parseSendResponse(fixture('send-response.json')))).toEqual({ messageId: '{mid}' });
  });

  it('a realistic response yields its message id', () => {
    expect(value(parseSendResponse(fixture('send-response-real.json'))).messageId)
      .toBe('m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P');
  });
});

describe('call_permission_reply fixtures', () => {
  // Meta writes the reply's time in whole seconds: it reads as the last millisecond of that second.
  const approved = {
    kind: 'permission_reply',
    at: 1671644824 * 1000 + 999,
    thread: { pageId: PAGE, psid: PSID },
    response: 'approve',
    expiresAt: 1672249624 * 1000,
  };

  it('the verbatim guide sample (placeholder response) is skipped, not an error', () => {
    expect(events('reply-shape-a-verbatim.json')).toEqual([]);
  });

  it('shape A with a numeric expiration_timestamp', () => {
    expect(withoutIds(events('reply-shape-a-number.json'))).toEqual([approved]);
  });

  it('shape A with a numeric-string expiration_timestamp gives the same event and id', () => {
    const fromString = events('reply-shape-a-string.json');
    expect(withoutIds(fromString)).toEqual([approved]);
    expect(fromString[0]?.id).toBe(events('reply-shape-a-number.json')[0]?.id);
  });

  it('shape A reject has no expiry', () => {
    expect(withoutIds(events('reply-shape-a-reject.json'))).toEqual([{
      kind: 'permission_reply', at: 1671644830999, thread: { pageId: PAGE, psid: PSID }, response: 'reject', expiresAt: null,
    }]);
  });

  it('shape B (messaging[]) uses the item timestamp, not entry.time', () => {
    expect(withoutIds(events('reply-shape-b.json'))).toEqual([approved]);
  });

  it('shape C (changes[{field, value}]) reads the reply from value', () => {
    expect(withoutIds(events('reply-shape-c.json'))).toEqual([approved]);
  });

  it('the same reply in any envelope gets the same dedupe id', () => {
    const ids = ['reply-shape-a-number.json', 'reply-shape-a-string.json', 'reply-shape-b.json', 'reply-shape-c.json']
      .map((f) => events(f)[0]?.id);
    expect(new Set(ids).size).toBe(1);
  });
});

describe('messaging fixtures', () => {
  it('a message and a postback open the window; echoes and reads do not', () => {
    const es = events('messaging-message.json');
    expect(withoutIds(es)).toEqual([
      { kind: 'inbound_message', at: 1458692752478, thread: { pageId: PAGE, psid: PSID } },
      { kind: 'inbound_message', at: 1458692752600, thread: { pageId: PAGE, psid: PSID } },
    ]);
    expect(es[0]?.id).not.toBe(es[1]?.id);
  });
});

describe('calls fixtures', () => {
  const call = (overrides: Partial<CallEvent>): Omit<CallEvent, 'id'> => ({
    kind: 'call', at: 1671644824000, pageId: PAGE, psid: null, callId: CALL, event: 'connect',
    direction: null, callStatus: null, terminateStatus: null, durationSec: null, ...overrides,
  });

  it('the verbatim connect sample (placeholder page id and direction) decodes without guessing the person', () => {
    expect(withoutIds(events('calls-connect-verbatim.json'))).toEqual([
      call({ pageId: '{page-id}', psid: null, direction: null }),
    ]);
  });

  it('connect: the person is whichever of to/from is not the Page', () => {
    expect(withoutIds(events('calls-connect.json'))).toEqual([
      call({ psid: PSID, direction: 'user_initiated' }),
    ]);
  });

  it('call_status: recipient_id is the person; statuses are lower-cased', () => {
    expect(withoutIds(events('calls-call-status.json'))).toEqual([
      call({ event: 'call_status', at: 1671644826000, psid: PSID, callStatus: 'ringing' }),
      call({ event: 'call_status', at: 1671644831000, psid: PSID, callStatus: 'accepted' }),
    ]);
  });

  it('media_update names no person', () => {
    expect(withoutIds(events('calls-media-update.json'))).toEqual([
      call({ event: 'media_update', at: 1671644832000 }),
    ]);
  });

  it('terminate: status lower-cased, an empty duration means never connected', () => {
    expect(withoutIds(events('calls-terminate.json'))).toEqual([
      call({ event: 'terminate', at: 1671644990000, terminateStatus: 'completed', durationSec: 159 }),
      call({ event: 'terminate', at: 1671644995000, callId: 'c_Zx81kQp0aLmB_7uTrWv3nY', terminateStatus: 'failed' }),
    ]);
  });

  it('calls in changes[{field: "calls"}], as one item or a calls array', () => {
    expect(withoutIds(events('calls-changes.json'))).toEqual([
      call({ psid: PSID, direction: 'business_initiated' }),
      call({ event: 'terminate', at: 1671644900000, terminateStatus: 'completed', durationSec: 60 }),
    ]);
  });
});

describe('Graph error fixtures', () => {
  it('the Graph error-handling sample', () => {
    expect(value(parseGraphError(fixture('graph-error.json')))).toEqual({
      message: 'Message describing the error', type: 'OAuthException', code: 190, subcode: 460,
      userTitle: 'A title', userMessage: 'A message', fbtraceId: 'EJplcsCHuLu',
    });
  });

  it('outside the 24 h window: 10 / 2018278', () => {
    const e = value(parseGraphError(fixture('graph-error-outside-window.json')));
    expect([e.code, e.subcode, e.type, e.fbtraceId]).toEqual([10, 2018278, 'OAuthException', 'AbCdEfGhIjK']);
    expect(e).not.toHaveProperty('isTransient');
  });

  it('the Messenger reference StandardError: is_transient and error_data', () => {
    const e = value(parseGraphError(fixture('graph-error-standard.json')));
    expect([e.code, e.subcode, e.isTransient, e.userTitle, e.userMessage])
      .toEqual([613, 2534040, true, 'Rate limit reached', 'Wait before trying again.']);
    expect(e.errorData).toEqual({ blame_field_specs: [['psid']] });
  });
});
