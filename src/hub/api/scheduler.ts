/**
 * @module
 * `scheduler.*` calls: what Koji 1.34+ lets clients read of the scheduler
 * (task runs, refusals, its log, the data hosts report), which `koji
 * scheduler-info` and `scheduler-logs` show, plus kojibox's explainTask
 * and the admin's doRun. All reads are anonymous, as in Koji.
 */
import { queryViewOpts } from '../../store/query-view.ts';
import { hostDataRows, LOG_MESSAGES_VIEW, queryScheduler, TASK_REFUSALS_VIEW, TASK_RUNS_VIEW } from '../../store/scheduler-views.ts';
import type { ViewSpec } from '../../store/query-view.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { shapeColumns, type ColumnKinds } from '../rpc/row-shape.ts';
import { asOptInt } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { explainTask } from '../tasks/index.ts';
import { schedulePass } from '../services/scheduler.ts';
import { taskId } from './tasks.ts';

const SCHEDULER_COLUMNS: ColumnKinds = {
  ts: new Set(['create_ts', 'start_ts', 'completion_ts', 'ts', 'msg_ts']),
  flags: new Set(['active', 'by_host', 'soft', 'host_ready']),
};

function query(ctx: CallContext, view: ViewSpec, a: Record<string, unknown>): unknown {
  const rows = queryScheduler(ctx.store, view, a.clauses, a.fields, queryViewOpts(a.opts));
  return typeof rows === 'number' ? rows : rows.map((r) => shapeColumns(r, SCHEDULER_COLUMNS));
}

/** Host data as stored (JSON), parsed; a row that does not parse is shown as null, not dropped. */
function hostData(ctx: CallContext, hostID: unknown): Array<{ host_id: number; data: unknown }> {
  return hostDataRows(ctx.store, asOptInt(hostID, 'hostID')).map((r) => {
    let data: unknown = null;
    try {
      data = JSON.parse(r.data);
    } catch {
      ctx.hub.log.warn(`scheduler: host ${r.host_id} has data that is not JSON`);
    }
    return { host_id: r.host_id, data };
  });
}

export const schedulerMethods: ApiMethod[] = [
  api('scheduler.getTaskRuns(clauses=None, fields=None, opts=None)', 'Task runs (assignments of tasks to hosts): clauses [[field, op, value]...] over id, task_id, host_id, active, create_ts, method, state, owner, arch, channel_id, host_name, host_ready, start_ts, completion_ts; opts {order, limit, offset, countOnly}; ordered by id.', { access: 'anon' }, (ctx, a) =>
    query(ctx, TASK_RUNS_VIEW, a),
  ),
  api('scheduler.getTaskRefusals(clauses=None, fields=None)', 'Tasks refused by hosts (by the host itself or for its arches): id, task_id, host_id, by_host, soft, msg, ts and the task and host fields.', { access: 'anon' }, (ctx, a) =>
    query(ctx, TASK_REFUSALS_VIEW, { ...a, opts: null }),
  ),
  api('scheduler.getLogMessages(clauses=None, fields=None, opts=None)', "The scheduler's log: id, task_id, host_id, msg, msg_ts and the task and host fields; opts as getTaskRuns.", { access: 'anon' }, (ctx, a) =>
    query(ctx, LOG_MESSAGES_VIEW, a),
  ),
  api('scheduler.getHostData(hostID=None)', 'What hosts last reported to the scheduler (host.setHostData): [{host_id, data}] for one host or all.', { access: 'anon' }, (ctx, a) =>
    hostData(ctx, a.hostID),
  ),
  api('scheduler.explainTask(task_id)', 'kojibox: why a FREE or ASSIGNED task has not started yet, in words (None for other states).', { access: 'anon' }, (ctx, a) =>
    explainTask(ctx.hub, taskId(a.task_id)),
  ),
  api('scheduler.doRun(force=False)', 'Run a scheduling pass now (admin; a debugging aid: passes run by themselves).', { access: 'admin' }, (ctx) => {
    // the pass runs in its own transaction once this call's has committed
    ctx.afterCommit(() => schedulePass(ctx.hub));
    return true;
  }),
];
