/**
 * @module
 * `scheduler-info` and `scheduler-logs`, Koji 1.34's views of the task
 * scheduler: recent task runs (which host took which task, and when it
 * started and ended) with a host's reported data, and the scheduler's log.
 * Same options and columns as Koji's CLI.
 */
import type { Command } from 'commander';
import { TASK_STATES } from '../../core/states.ts';
import { kw, type ClientSession } from '../session.ts';
import { CliError, type CliEnv } from '../env.ts';
import { asctime, floatOption, intOption, padR, pyRepr, shortTime, tsNumber } from './common.ts';

type Dict = Record<string, unknown>;

/** A host by id or name (Koji: an int is an id, anything else a name). */
async function hostId(s: ClientSession, host: string): Promise<number> {
  if (/^-?\d+$/.test(host)) return Number(host);
  const h = await s.call<Dict | null>('getHost', host);
  if (!h) throw new CliError(`No such host: ${host}`);
  return h.id as number;
}

interface InfoOpts {
  task?: string;
  host?: string;
  state?: string;
  limit: string;
}

interface LogOpts {
  task?: string;
  host?: string;
  from?: string;
  to?: string;
  limit?: string;
}

function registerSchedulerInfo(program: Command, env: CliEnv): void {
  program
    .command('scheduler-info')
    .description('Show information about scheduling')
    .argument('[args...]')
    .option('-t, --task <id>', 'Limit data to given task id')
    .option('--host <host>', 'Limit data to given builder id')
    .option('--state <state>', `Limit data to task state (${TASK_STATES.names.join(', ')})`)
    .option('--limit <n>', 'Limit data to last N items [default: 100]', '100')
    .action(async (args: string[], o: InfoOpts) => {
      if (args.length) throw new CliError('This command takes no arguments', 2);
      const task = intOption(o.task, 'task');
      const limit = intOption(o.limit, 'limit')!;
      const state = o.state === undefined ? undefined : TASK_STATES.names.indexOf(o.state as (typeof TASK_STATES.names)[number]);
      if (state === -1) {
        throw new CliError(`option --state: invalid choice: '${o.state}' (choose from ${TASK_STATES.names.map((n) => `'${n}'`).join(', ')})`, 2);
      }
      const s = await env.session();
      const host = o.host === undefined ? null : await hostId(s, o.host);
      const clauses: unknown[] = [];
      if (task) clauses.push(['task_id', task]);
      if (host !== null) clauses.push(['host_id', host]);
      if (state !== undefined) clauses.push(['state', state]);
      const fields = ['id', 'task_id', 'host_name', 'state', 'create_ts', 'start_ts', 'completion_ts'];
      // the newest N, shown oldest first
      const runs = (await s.call<Dict[]>('scheduler.getTaskRuns', kw({ clauses, fields, opts: { order: '-id', limit } }))).reverse();
      const line = (r: Dict) =>
        `${padR(r.task_id, 9)} ${padR(r.host_name, 20)} ${padR(r.state, 7)} ${padR(r.create_ts, 17)} ${padR(r.start_ts, 17)} ${padR(r.completion_ts, 17)}`;
      if (!env.quiet) {
        const header = line({ task_id: 'Task', host_name: 'Host', state: 'State', create_ts: 'Created', start_ts: 'Started', completion_ts: 'Ended' });
        env.out(header);
        env.out('-'.repeat(header.length));
      }
      for (const r of runs) {
        env.out(line({ ...r, state: TASK_STATES.nameOf(r.state as number), create_ts: shortTime(r.create_ts), start_ts: shortTime(r.start_ts), completion_ts: shortTime(r.completion_ts) }));
      }
      if (host) {
        env.out(`Host data for ${o.host}:`);
        const data = await s.call<Array<{ data: unknown }>>('scheduler.getHostData', kw({ hostID: host }));
        env.out(data.length ? pyRepr(data[0]!.data) : '-');
      }
    });
}

function registerSchedulerLogs(program: Command, env: CliEnv): void {
  program
    .command('scheduler-logs')
    .description('Query scheduler logs')
    .argument('[args...]')
    .option('--task <id>', 'Filter by task ID')
    .option('--host <host>', 'Filter by host (name/ID)')
    .option('--from <ts>', 'Logs from given timestamp')
    .option('--to <ts>', 'Logs until given timestamp (included)')
    .option('--limit <n>', 'Limit data to last N items. [default: None]')
    .action(async (args: string[], o: LogOpts) => {
      if (args.length) throw new CliError('There are no arguments for this command', 2);
      const task = intOption(o.task, 'task');
      const from = floatOption(o.from, 'from');
      const to = floatOption(o.to, 'to');
      const limit = intOption(o.limit, 'limit');
      if (from && to && limit !== undefined) throw new CliError("If both --from and --to are used, --limit shouldn't be used", 2);
      const s = await env.session();
      const clauses: unknown[] = [];
      if (task) clauses.push(['task_id', task]);
      if (o.host) clauses.push(['host_id', await hostId(s, o.host)]);
      if (from) clauses.push(['msg_ts', '>=', from]);
      if (to) clauses.push(['msg_ts', '<', to]);
      const fields = ['id', 'task_id', 'host_id', 'host_name', 'msg_ts', 'msg'];
      const opts = limit === undefined ? undefined : { order: '-id', limit };
      let logs = await s.call<Dict[]>('scheduler.getLogMessages', kw({ clauses, fields, opts }));
      if (limit !== undefined) logs = logs.reverse();
      const line = (r: Dict) => `${padR(r.task_id, 10)} ${padR(r.host_name, 20)} ${padR(r.time, 25)} ${padR(r.msg, 30)}`;
      if (!env.quiet) {
        const header = line({ task_id: 'Task', host_name: 'Host', time: 'Time', msg: 'Message' });
        env.out(header);
        env.out('-'.repeat(header.length));
      }
      for (const r of logs) env.out(line({ ...r, time: asctime(tsNumber(r.msg_ts) ?? 0) }));
    });
}

export function registerSchedulerCommands(program: Command, env: CliEnv): void {
  registerSchedulerInfo(program, env);
  registerSchedulerLogs(program, env);
}
