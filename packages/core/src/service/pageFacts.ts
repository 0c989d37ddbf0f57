import type { Clock } from '../ports/Clock.js';
import type { GraphApi, GraphFailure, PageCallingStatus } from '../ports/GraphApi.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { ResolvedPolicy } from '../policy.js';
import { err, type Result } from '../result.js';
import type { Instant } from '../thread.js';
import { asGraphFailure } from './asGraphFailure.js';
import { readPageCalling, writePageCallingOff, type LoadedPageCalling, type PageCallingOff } from './pageCalling.js';
import { readPageCheck, writePageCheck, type PageStatus } from './pageStatus.js';

/** What the service needs to know and learn Page-level facts. */
export interface PageFactsDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  readonly policy: ResolvedPolicy;
  readonly graph: GraphApi;
  /** How long a Page's fact read from the store is reused before reading it again (ms). */
  readonly cacheMs: number;
}

/** The Page-level facts of one service: read through a short cache, learned from Meta's answers. */
export interface PageFacts {
  /** Calling off for the Page, as stored (at most `cacheMs` old), or null. */
  read(pageId: string): Promise<PageCallingOff | null>;
  /** What `read` would answer from its cache without the store, or undefined when it would read the store. */
  cached(pageId: string): PageCallingOff | null | undefined;
  /** Like `read`, but a fact whose recheck has come is rechecked first. */
  current(pageId: string): Promise<PageCallingOff | null>;
  /** Meta refused something because calling is off or not allowed for the Page. */
  learnOff(pageId: string, failure: GraphFailure): Promise<void>;
  /** Asks Meta about the Page now (its feature status, then its call settings) and stores the answer. */
  recheck(pageId: string): Promise<Result<PageCallingStatus, GraphFailure>>;
  /** The Page's last check and calling fact; asks Meta first when never asked, stale, or older than `pageRecheckAfter`. */
  status(pageId: string): Promise<PageStatus>;
}

/** Pages remembered at once; past it the cache starts again (Pages are few: this bounds a hostile caller). */
const MAX_CACHED = 10_000;

/**
 * The Page facts over a store: one `page` document per Page whose calling is
 * off, a recheck `pageRecheckAfter` later (by `sweep`, or by the next `request`
 * that meets it), and a short in-process cache so status reads cost no store call.
 *
 * @example
 * const pages = createPageFacts({ store, clock, policy, graph, cacheMs: 5_000 });
 */
export const createPageFacts = (deps: PageFactsDeps): PageFacts => {
  const cache = new Map<string, { readonly off: PageCallingOff | null; readonly readAt: Instant }>();
  const remember = (pageId: string, off: PageCallingOff | null, now: Instant): void => {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pageId, { off, readAt: now });
  };

  const cached = (pageId: string): PageCallingOff | null | undefined => {
    const hit = cache.get(pageId);
    if (hit === undefined) return undefined;
    const now = deps.clock.now();
    return now >= hit.readAt && now - hit.readAt < deps.cacheMs ? hit.off : undefined;
  };

  const read = async (pageId: string): Promise<PageCallingOff | null> => {
    const hit = cached(pageId);
    if (hit !== undefined) return hit;
    const now = deps.clock.now();
    const loaded = await readPageCalling(deps.store, pageId);
    remember(pageId, loaded?.off ?? null, now);
    return loaded?.off ?? null;
  };

  /** Stores the Page's fact over what is stored (`loaded`, read when not given), due for a recheck one interval from now. */
  const putOff = async (pageId: string, fact: Omit<PageCallingOff, 'recheckAt'>, loaded?: LoadedPageCalling | null): Promise<void> => {
    const now = deps.clock.now();
    const off: PageCallingOff = { ...fact, recheckAt: now + deps.policy.pageRecheckAfterMs };
    await writePageCallingOff(deps.store, pageId, loaded === undefined ? await readPageCalling(deps.store, pageId) : loaded, off, now);
    remember(pageId, off, now);
  };

  const learnOff = (pageId: string, failure: GraphFailure): Promise<void> =>
    putOff(pageId, { at: deps.clock.now(), source: 'refusal', detail: failure.message.slice(0, 200) });

  /** The Page's call settings when the feature is on; null when not asked or Meta did not answer (the feature's word stands). */
  const settingsOf = async (pageId: string, calling: Result<PageCallingStatus, GraphFailure>) => {
    if (!calling.ok || !calling.value.enabled) return null;
    const answer = await deps.graph.checkCallSettings(pageId).catch((e: unknown) => err(asGraphFailure(e)));
    return answer.ok ? answer.value : null;
  };

  /** Remembers what Meta answered about the Page (a failed check keeps what was known, and its instant). */
  const noteCheck = async (pageId: string, calling: Result<PageCallingStatus, GraphFailure>, settings: PageStatus['settings']): Promise<void> => {
    const { check, version } = await readPageCheck(deps.store, pageId);
    const now = deps.clock.now();
    const next = calling.ok
      ? { calling: calling.value, settings: settings ?? check.settings, checkedAt: now, stale: false }
      : { ...check, stale: false };
    await writePageCheck(deps.store, pageId, version, next, now);
  };

  const recheck = async (pageId: string): Promise<Result<PageCallingStatus, GraphFailure>> => {
    const answer = await deps.graph.checkPageCalling(pageId).catch((e: unknown) => err(asGraphFailure(e)));
    const settings = await settingsOf(pageId, answer);
    await noteCheck(pageId, answer, settings);
    const now = deps.clock.now();
    if (answer.ok && answer.value.enabled && settings?.audioEnabled === false) {
      // The feature is granted, but audio calling is switched off in the Page's call settings: no call connects.
      await putOff(pageId, { at: now, source: 'check', detail: 'audio calling is off in messenger_call_settings' });
    } else if (answer.ok && answer.value.enabled) {
      const loaded = await readPageCalling(deps.store, pageId);
      if (loaded !== null) await deps.store.deleteDoc('page', pageId, loaded.version);
      remember(pageId, null, now);
    } else if (answer.ok) {
      await putOff(pageId, { at: now, source: 'check', detail: answer.value.status.slice(0, 200) });
    } else if (answer.error.kind === 'calling_not_enabled') {
      await learnOff(pageId, answer.error);
    } else {
      // Meta did not answer: what is stored stands, rechecked one interval from now.
      const loaded = await readPageCalling(deps.store, pageId);
      if (loaded !== null) await putOff(pageId, loaded.off, loaded);
    }
    return answer;
  };

  const current = async (pageId: string): Promise<PageCallingOff | null> => {
    const off = await read(pageId);
    if (off === null || deps.clock.now() < off.recheckAt) return off;
    await recheck(pageId);
    return read(pageId);
  };

  const status = async (pageId: string): Promise<PageStatus> => {
    const { check } = await readPageCheck(deps.store, pageId);
    const fresh = !check.stale && check.checkedAt !== null && deps.clock.now() - check.checkedAt < deps.policy.pageRecheckAfterMs;
    if (!fresh) await recheck(pageId);
    const now = (await readPageCheck(deps.store, pageId)).check;
    const loaded = await readPageCalling(deps.store, pageId);
    remember(pageId, loaded?.off ?? null, deps.clock.now());
    return { pageId, ...now, off: loaded?.off ?? null, canCall: loaded === null };
  };

  return { read, cached, current, learnOff, recheck, status };
};
