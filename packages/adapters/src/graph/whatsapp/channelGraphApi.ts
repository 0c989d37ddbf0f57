import { channelOf, err, type GraphApi, type GraphFailure, type Result } from '@callperm/core';

/** The two clients to route between, and how to tell a WhatsApp business number from a Page id. */
export interface ChannelGraphApiOptions {
  /** The Messenger client (`graphApi`): Messenger threads and every bare id not said to be a WhatsApp number. */
  readonly messenger: GraphApi;
  /** The WhatsApp client (`whatsappGraphApi`): WhatsApp threads and the numbers below. */
  readonly whatsapp: GraphApi;
  /**
   * The phone-number ids of your WhatsApp business numbers. `checkPageCalling`,
   * `checkCallSettings`, `terminateCall`, `acceptCall` and `rejectCall` get a bare id
   * with no channel: an id in this set (or for which `isWhatsAppNumber` says true)
   * goes to the WhatsApp client, any other to Messenger.
   */
  readonly whatsappNumbers?: ReadonlySet<string>;
  /** The same as `whatsappNumbers`, as a predicate; with both, an id is WhatsApp's when either says so. */
  readonly isWhatsAppNumber?: (id: string) => boolean;
}

/**
 * One `GraphApi` for both channels. Thread methods (`checkPermission`,
 * `sendPermissionRequest`, `connectCall`) go by the thread's channel (`channel:
 * 'whatsapp'` to the WhatsApp client, no channel to Messenger). The methods that get
 * only an id cannot see a channel: the id goes to WhatsApp when it is in
 * `whatsappNumbers` or `isWhatsAppNumber(id)` is true, and to Messenger otherwise (the
 * default, so a service that never heard of WhatsApp routes as before). Page ids and
 * phone-number ids are both Meta object ids, so one id never names both. A predicate
 * that throws resolves to an `invalid` failure; nothing is sent.
 *
 * @example
 * const graph = channelGraphApi({ messenger: graphApi({ accessToken }), whatsapp: whatsappGraphApi({ accessTokens }), whatsappNumbers: new Set(['1065']) });
 * await graph.checkPermission({ channel: 'whatsapp', pageId: '1065', psid: '4915112345678' }); // the WhatsApp client
 * await graph.terminateCall('1065', 'wacid.ABG'); // the WhatsApp client: '1065' is a WhatsApp number
 * await graph.terminateCall('1234', 'c_1'); // the Messenger client
 */
export const channelGraphApi = (options: ChannelGraphApiOptions): GraphApi => {
  const { messenger, whatsapp, whatsappNumbers, isWhatsAppNumber } = options;
  /** The client for a bare id, or a failure when the predicate threw. */
  const byId = (id: string): GraphApi | Result<never, GraphFailure> => {
    try {
      return whatsappNumbers?.has(id) === true || isWhatsAppNumber?.(id) === true ? whatsapp : messenger;
    } catch {
      return err({ kind: 'invalid', processed: 'no', message: 'channelGraphApi: isWhatsAppNumber threw for this id, so its channel is unknown; nothing was sent.' });
    }
  };
  const route = <T>(id: string, run: (client: GraphApi) => Promise<Result<T, GraphFailure>>): Promise<Result<T, GraphFailure>> => {
    const client = byId(id);
    return 'ok' in client ? Promise.resolve(client) : run(client);
  };
  const forThread = (thread: Parameters<GraphApi['checkPermission']>[0]): GraphApi => (channelOf(thread) === 'whatsapp' ? whatsapp : messenger);
  return {
    checkPermission: (thread) => forThread(thread).checkPermission(thread),
    sendPermissionRequest: (thread, request) => forThread(thread).sendPermissionRequest(thread, request),
    connectCall: (thread, sdpOffer) => forThread(thread).connectCall(thread, sdpOffer),
    checkPageCalling: (id) => route(id, (c) => c.checkPageCalling(id)),
    checkCallSettings: (id) => route(id, (c) => c.checkCallSettings(id)),
    terminateCall: (id, callId) => route(id, (c) => c.terminateCall(id, callId)),
    acceptCall: (id, callId, sdp) => route(id, (c) => c.acceptCall(id, callId, sdp)),
    rejectCall: (id, callId) => route(id, (c) => c.rejectCall(id, callId)),
  };
};
