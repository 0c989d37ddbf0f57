import type { Instant } from '@callperm/core';

/**
 * An instant as Meta writes it in call and reply webhooks: whole Unix seconds.
 *
 * @example
 * metaSeconds(1_671_644_824_999); // 1671644824
 */
export const metaSeconds = (at: Instant): number => Math.floor(at / 1000);
