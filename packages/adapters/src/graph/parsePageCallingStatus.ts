import type { PageCallingStatus } from '@callperm/core';

/** The feature `business_messaging_feature_status` is asked about (facts §1.1). */
export const CALLING_FEATURE = 'messenger_api_calling';

/** The status reported when Meta's answer lists no `messenger_api_calling` entry. */
export const MISSING_FEATURE_STATUS = 'missing';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads Meta's answer to `POST /{page-id}/business_messaging_feature_status`:
 * `{"data":[{"feature":"messenger_api_calling","status":"enabled"}]}`. The prose says
 * `ENABLED`, the sample `enabled` (open question 19): compared case-insensitively,
 * Meta's word kept in `status`. No entry for the feature means not enabled, status
 * `missing`; entries for other features are skipped. `null` when the body is not
 * this shape (no `data` array, an item that is not an object or has no string
 * `feature`, the calling entry without a string `status`).
 *
 * @example
 * parsePageCallingStatus({ data: [{ feature: 'messenger_api_calling', status: 'ENABLED' }] }); // { enabled: true, status: 'ENABLED' }
 * parsePageCallingStatus({ data: [] }); // { enabled: false, status: 'missing' }
 * parsePageCallingStatus({ features: 'on' }); // null
 */
export const parsePageCallingStatus = (body: unknown): PageCallingStatus | null => {
  if (!isRecord(body) || !Array.isArray(body.data)) return null;
  let found: PageCallingStatus | undefined;
  for (const item of body.data as unknown[]) {
    if (!isRecord(item) || typeof item.feature !== 'string') return null;
    if (item.feature.toLowerCase() !== CALLING_FEATURE || found !== undefined) continue;
    if (typeof item.status !== 'string') return null;
    found = { enabled: item.status.trim().toLowerCase() === 'enabled', status: item.status };
  }
  return found ?? { enabled: false, status: MISSING_FEATURE_STATUS };
};
