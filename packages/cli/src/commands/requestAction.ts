import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { createCliService } from '../createCliService.js';
import { parseThread } from '../parseThread.js';
import { withGraphAndStore } from './withGraphAndStore.js';

/**
 * What `callperm request PAGE PSID` does once its options are parsed (loaded
 * only when the command runs, so `callperm --help` loads no Graph client or store).
 *
 * @example
 * await requestAction(io, '1234', '5678', { store: 'sqlite:callperm.sqlite' });
 */
export const requestAction = async (io: CliIo, page: string, psid: string, options: { readonly store: string }): Promise<void> => {
  const thread = parseThread(page, psid);
  await withGraphAndStore(io, options.store, async (client, opened) => {
    const sent = await createCliService(opened, client).request(thread);
    if (sent.ok) {
      io.out(`${JSON.stringify({ ok: true, thread, messageId: sent.value.messageId, decision: sent.value.decision }, null, 2)}\n`);
      return;
    }
    const e = sent.error;
    io.out(`${JSON.stringify({ ok: false, thread, ...e }, null, 2)}\n`);
    if ('failure' in e) {
      throw new CliError('graph_failure', `The request was not confirmed (${e.reason}, ${e.failure.kind}): ${e.failure.message}`);
    }
    const next = e.decision.nextRequestAt === null ? '' : ` The next request may go at ${new Date(e.decision.nextRequestAt).toISOString()}.`;
    throw new CliError('refused', `No request sent: ${e.reason}.${next}`);
  });
};
