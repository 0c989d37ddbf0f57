/**
 * Meta's Page webhook envelope around one or more `entry[]` items (Meta batches
 * several entries into one POST when it can).
 *
 * @example
 * pageWebhook([permissionReplyEntry({ pageId: '1', psid: '2', at, response: 'approve' })]);
 * // { object: 'page', entry: [...] }
 */
export const pageWebhook = (entries: readonly unknown[]): { readonly object: 'page'; readonly entry: readonly unknown[] } => ({
  object: 'page',
  entry: entries,
});
