import type { Instant, Thread } from '@callperm/core';

/** Who started a call: the Page (`connect` over the Graph API) or the person (they dialled the Page). */
export type FakeCallDirection = 'business_initiated' | 'user_initiated';

/**
 * Why a call ended, as the fake knows it:
 * - `terminated`: the Page ended it (`action: terminate`);
 * - `rejected`: the Page declined the person's call (`action: reject`);
 * - `hung_up`: the person ended a call in progress;
 * - `declined`: the person declined the Page's call;
 * - `missed`: nobody picked up (a person's call rings out after 60 s, Meta's documented limit);
 * - `failed`: the call failed mid-connection (`status: Failed`).
 */
export type FakeCallEndCause = 'terminated' | 'rejected' | 'hung_up' | 'declined' | 'missed' | 'failed';

/**
 * One call as the fake holds it. `answeredAt` is when it connected both ways (the
 * person picked up, or the Page accepted the person's call); `endedAt` and `cause`
 * are set once it is over.
 */
export interface FakeCall {
  readonly callId: string;
  readonly thread: Thread;
  readonly direction: FakeCallDirection;
  /** When it started: the Page's connect, or the person's dial. */
  readonly startedAt: Instant;
  readonly answeredAt: Instant | null;
  readonly endedAt: Instant | null;
  readonly cause: FakeCallEndCause | null;
}

/**
 * A call's end, as Meta recorded it (and as its `terminate` webhook reports it):
 * `status` `Completed` (also for declined and missed calls) or `Failed`, and
 * `durationSec` counted from the answer, `null` when it was never answered (Meta's
 * "empty" duration).
 */
export interface FakeCallEnd {
  /** Order among all the fake's records. */
  readonly seq: number;
  readonly callId: string;
  readonly thread: Thread;
  readonly direction: FakeCallDirection;
  readonly at: Instant;
  readonly cause: FakeCallEndCause;
  readonly status: 'Completed' | 'Failed';
  readonly startedAt: Instant;
  readonly answeredAt: Instant | null;
  readonly durationSec: number | null;
}

/**
 * A Page's Messenger call settings as `GET /{page-id}/messenger_call_settings`
 * reports them. A connect is refused while `audioEnabled` is false ("Audio calling is
 * not enabled"); `ringTarget` is reported only (`PARTNERS`: calls ring this app).
 */
export interface FakeCallSettings {
  readonly audioEnabled: boolean;
  readonly videoEnabled: boolean;
  readonly ringTarget: string;
}

/**
 * What a Page's call settings are until a test changes them: audio on, video off,
 * calls routed to partner apps.
 *
 * @example
 * fake.setCallSettings('1001', { ...defaultFakeCallSettings, audioEnabled: false });
 */
export const defaultFakeCallSettings: FakeCallSettings = { audioEnabled: true, videoEnabled: false, ringTarget: 'PARTNERS' };
