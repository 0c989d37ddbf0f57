/** Meta's error envelope, as the Graph API sends it. */
export interface MetaErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly code: number;
    readonly error_subcode?: number;
    readonly is_transient?: boolean;
    readonly error_user_title?: string;
    readonly error_user_msg?: string;
    readonly fbtrace_id?: string;
    readonly error_data?: unknown;
  };
}

/**
 * The code the fake answers "Call rate limit exceeded" with. Meta's error list says
 * "Error code TBD"; this number is the fake's invention (the one after the listed
 * calling codes), not Meta's. Classify the refusal by its text, "Call rate limit".
 *
 * @example
 * fakeMetaErrors.callRateLimit.error.code === CALL_RATE_LIMIT_CODE; // true
 */
export const CALL_RATE_LIMIT_CODE = 2018397;

const body = (code: number, message: string, type = 'OAuthException', subcode?: number): MetaErrorBody => ({
  error: { message, type, code, ...(subcode === undefined ? {} : { error_subcode: subcode }), fbtrace_id: 'AfakeTraceId0001' },
});

/**
 * The error bodies the fake answers with, codes as the facts file lists them (§2,
 * §6). Messenger publishes no code for the 2-per-day opt-in limit; the fake uses
 * 613/2534040, the Messenger list's rate-limit code. Nor for "Not allowed for
 * business-initiated calling": the fake words it so under code 10.
 *
 * Calls (facts §5): the calling codes 2018389–2018396 as listed. Meta publishes no
 * code for "Consumer has not given permission to call" nor for "Audio calling is not
 * enabled" (the fake uses 10, permission denied), and lists the call rate limit as
 * "Error code TBD": the fake uses {@link CALL_RATE_LIMIT_CODE}, an invented number
 * outside every throttling and calling code, so only the wording identifies these
 * three, as it must with Meta.
 *
 * @example
 * fakeMetaErrors.outsideWindow.error.error_subcode; // 2018278
 */
export const fakeMetaErrors = {
  outsideWindow: body(10, '(#10) This message is sent outside of allowed window.', 'OAuthException', 2018278),
  optInQuota: body(613, '(#613) Calls to this api have exceeded the rate limit.', 'OAuthException', 2534040),
  rateLimit: body(613, '(#613) Calls to this api have exceeded the rate limit.'),
  messengerThrottled: body(80006, '(#80006) There have been too many messenger api calls to this Page. Wait a while and try again.'),
  pageThrottled: body(80001, '(#80001) There have been too many calls to this Page account. Wait a bit and try again.'),
  appLimit: body(4, '(#4) Application request limit reached'),
  invalidToken: body(190, 'Invalid OAuth access token - Cannot parse access token'),
  missingToken: body(104, 'An access token is required to request this resource.'),
  invalidProof: body(100, 'Invalid appsecret_proof provided in the API argument', 'GraphMethodException'),
  invalidParameter: body(100, '(#100) Invalid parameter', 'OAuthException'),
  noMatchingUser: body(100, '(#100) No matching user found', 'OAuthException', 2018001),
  unknownPath: body(2500, 'Unknown path components', 'OAuthException'),
  batchTooLarge: body(100, '(#100) Too many requests in batch message. Maximum batch size is 50', 'OAuthException'),
  personUnavailable: body(551, 'This person isn\'t available right now.', 'OAuthException', 1545041),
  permissionDenied: body(10, '(#10) Application does not have permission for this action', 'OAuthException'),
  callingNotEnabled: body(10, '(#10) Not allowed for business-initiated calling', 'OAuthException'),
  callingNotAllowed: body(2018389, 'Page is not allowlisted for calling', 'OAuthException'),
  noCallPermission: body(10, 'Consumer has not given permission to call', 'OAuthException'),
  audioNotEnabled: body(10, 'Audio calling is not enabled', 'OAuthException'),
  callRateLimit: body(CALL_RATE_LIMIT_CODE, 'Call rate limit exceeded', 'OAuthException'),
  invalidCallId: body(2018390, 'Invalid call id', 'OAuthException'),
  invalidConnection: body(2018391, 'Invalid connection parameter', 'OAuthException'),
  invalidSdp: body(2018392, 'Invalid SDP', 'OAuthException'),
  pageNotInCall: body(2018393, 'Page is not a member of the call', 'OAuthException'),
  failedCall: body(2018395, 'Cannot join failed call', 'OAuthException'),
  endedCall: body(2018396, 'Cannot join ended call', 'OAuthException'),
  serviceUnavailable: { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true, fbtrace_id: 'AfakeTraceId0002' } },
} satisfies Record<string, MetaErrorBody>;
