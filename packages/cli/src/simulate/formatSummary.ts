import Table from 'cli-table3';
import type { SimulationSummary } from './runSimulation.js';
import type { Tally } from './SimulationStats.js';

type Row = [string, string | number];

const section = (title: string, rows: readonly Row[]): Row[] => [[title, ''], ...rows.map(([k, v]): Row => [`  ${k}`, v])];
const tallyRows = (t: Tally, empty = 'none'): Row[] => {
  const entries = Object.entries(t);
  return entries.length === 0 ? [[empty, 0]] : entries;
};

/**
 * The run's summary as a plain text table (cli-table3, no colours): the same
 * bytes for the same summary, so two runs with one seed compare equal.
 *
 * @example
 * io.out(formatSummary(result.summary));
 */
export const formatSummary = (s: SimulationSummary): string => {
  const v = s.violations;
  const totalViolations = v.quotaExceeded + v.callWithoutPermission + v.optInSentTwice;
  const rows: Row[] = [
    ...section('run', [['threads', s.config.threads], ['days', s.config.days], ['seed', s.config.seed], ['faults', s.config.faults]]),
    ...section('opt-ins', [
      ['sent (accepted by Meta)', s.optInsSent],
      ...Object.entries(s.consumerAnswers).map(([k, n]): Row => [`answered: ${k}`, n]),
    ]),
    ...section('requests refused, by reason', tallyRows(s.host.requestRefusals)),
    ...section('host transitions', [
      ['approvals', s.host.approvals], ['rejections', s.host.rejections], ['expiries', s.host.expiries],
      ['implicit grants', s.host.implicitGrants], ['remote syncs', s.host.remoteSyncs],
    ]),
    ...section('calls the business wanted', [
      ['allowed', s.host.callsAllowed],
      ...tallyRows(s.host.callsBlocked).map(([k, n]): Row => [`blocked: ${k}`, n]),
    ]),
    ...section('Meta traffic', [
      ['webhook POSTs', s.webhooks.posts], ['webhook deliveries dropped', s.webhooks.dropped],
      ...Object.entries(s.graphRequests).map(([k, n]): Row => [`Graph ${k} requests`, n]),
      ['sweep remote checks', s.host.sweep.checked], ['sweep failures', s.host.sweep.failed],
    ]),
    ...section('threads by final state', Object.entries(s.finalStates)),
    ...section('invariant violations (must be 0)', [
      ['quota exceeded', v.quotaExceeded],
      ['call allowed without a live permission', v.callWithoutPermission],
      ['opt-in sent twice', v.optInSentTwice],
      ['total', totalViolations],
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
