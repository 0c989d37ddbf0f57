import Table from 'cli-table3';
import { refusalBuckets, type RefusalBucket } from './metaSendStats.js';
import type { SimulationSummary } from './runSimulation.js';
import type { Tally } from './SimulationStats.js';

type Row = [string, string | number];

const section = (title: string, rows: readonly Row[]): Row[] => [[title, ''], ...rows.map(([k, v]): Row => [`  ${k}`, v])];
const tallyRows = (t: Tally, empty = 'none'): Row[] => {
  const entries = Object.entries(t);
  return entries.length === 0 ? [[empty, 0]] : entries;
};
const BUCKET_LABEL: Record<RefusalBucket, string> = {
  outside_window: 'outside the 24 h window', request_limit: 'request limit (613)', person_unavailable: 'person unavailable (551)',
  calling_not_enabled: 'calling not enabled', other: 'other',
};
/** `n (p%)` of a total, one decimal. */
const share = (n: number, of: number): string => `${n} (${of === 0 ? '0.0' : ((100 * n) / of).toFixed(1)}%)`;

/**
 * The run's summary as a plain text table (cli-table3, no colours): the same
 * bytes for the same summary, so two runs with one seed compare equal. The run
 * section names the channel unless it is `messenger`; every count is both
 * channels' together.
 *
 * @example
 * io.out(formatSummary(result.summary));
 */
export const formatSummary = (s: SimulationSummary): string => {
  const v = s.violations;
  const m = s.sends;
  const rows: Row[] = [
    ...section('run', [
      ['threads', s.config.threads], ['days', s.config.days], ['seed', s.config.seed], ['faults', s.config.faults],
      // Shown for a run with WhatsApp threads; a Messenger run prints what it printed before WhatsApp existed.
      ...(s.config.channel === 'messenger' ? [] : [['channel', s.config.channel] as Row]),
    ]),
    ...section('opt-ins', [
      ['sent (accepted by Meta)', s.optInsSent],
      ...Object.entries(s.consumerAnswers).map(([k, n]): Row => [`answered: ${k}`, n]),
    ]),
    ...section('opt-in sends, Meta\'s side', [
      ['sends', m.sends],
      ['accepted', share(m.accepted, m.sends)],
      ...refusalBuckets.map((b): Row => [`refused: ${BUCKET_LABEL[b]}`, share(m.refused[b], m.sends)]),
      ['failed by an injected fault', share(m.faulted, m.sends)],
      ['most refusals of one thread before its person wrote again', m.maxRefusalsBeforeNextMessage],
      ['threads refused again before their person wrote', m.threadsRefusedAgainBeforeNextMessage],
      ['approvals', m.approvals], ['declines', m.declines],
      ['Graph requests per opt-in sent', m.graphRequestsPerOptIn === null ? 'n/a' : m.graphRequestsPerOptIn.toFixed(2)],
      ['people unavailable (551)', s.world.unavailablePeople], ['Pages with calling off for a while', s.world.pagesCallingOff],
    ]),
    ...section('requests refused, by reason', tallyRows(s.host.requestRefusals)),
    ...section('host transitions', [
      ['approvals', s.host.approvals], ['rejections', s.host.rejections], ['expiries', s.host.expiries],
      ['implicit grants', s.host.implicitGrants], ['remote syncs', s.host.remoteSyncs],
    ]),
    ...section('calls the business placed (startCall)', [
      ['placed', s.host.callsPlaced],
      ...tallyRows(s.host.callsBlocked).map(([k, n]): Row => [`refused locally: ${k}`, n]),
      ...tallyRows(s.host.callsRefusedByMeta).map(([k, n]): Row => [`refused by Meta: ${k}`, n]),
    ]),
    ...section('calls, Meta\'s side', [
      ['connected (placed by Meta)', s.calls.connected],
      ...tallyRows(s.calls.refusedByMeta).map(([k, n]): Row => [`connect refused: ${k}`, n]),
      ...tallyRows(s.calls.callees).map(([k, n]): Row => [`the person: ${k}`, n]),
    ]),
    ...section('Meta traffic', [
      ['webhook POSTs', s.webhooks.posts], ['webhook deliveries dropped', s.webhooks.dropped],
      ...Object.entries(s.graphRequests).map(([k, n]): Row => [`Graph ${k} requests`, n]),
      ['sweep remote checks', s.host.sweep.checked], ['sweep failures', s.host.sweep.failed], ['threads retired', s.host.sweep.retired],
    ]),
    ...section('threads by final state', Object.entries(s.finalStates)),
    ...section('invariant violations (must be 0)', [
      ['quota exceeded', v.quotaExceeded],
      ['connect without a live permission', v.callWithoutPermission],
      ['connect over the connected-call quota', v.callOverQuota],
      ['one reservation sent twice', v.reservationSentTwice],
      ['request against the reminder or decline rule', v.againstReminderOrDecline],
      ['total', v.total],
    ]),
  ];
  const table = new Table({
    head: ['callperm simulate', ''],
    style: { head: [], border: [] },
    colAligns: ['left', 'right'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(...rows);
  return `${table.toString()}\n`;
};
