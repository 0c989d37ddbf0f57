/** SDP lines shorter than this are too common (`v=0`, `t=0 0`) to be worth scrubbing from Meta's words. */
const MIN_CONCEALED_LINE = 8;

/**
 * What of an SDP offer must not be quoted back in an error: the whole offer and
 * each of its longer lines (ICE candidates carry addresses, and a body is long).
 */
export const sdpConcealed = (sdp: string): string[] =>
  [sdp, ...sdp.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= MIN_CONCEALED_LINE)];
