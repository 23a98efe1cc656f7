/**
 * @module
 * The task page at /koji/taskinfo?taskID=N (Koji's URL): method, state,
 * owner, host, channel, parent and children, the request, the result or
 * fault, and a link to every output file under /kojifiles. Everything
 * interpolated is escaped by Hono's html template. An unfinished task's
 * page refreshes itself.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { TASK_STATES } from '../../core/states.ts';
import { isoTime } from '../../core/time.ts';
import { taskLabel } from '../../core/task-params.ts';
import type { Hub } from '../hub.ts';
import { getChildRows, getTaskRow, userName, volumeNames } from '../../store/tasks.ts';
import { findHost } from '../../store/hosts.ts';
import { findChannel } from '../../store/channels.ts';
import { decodeRequest, decodeResult, taskRelPath } from '../tasks/shape.ts';
import { taskDir, walkFiles } from '../tasks/output.ts';
import { explainTask } from '../tasks/explain.ts';
import { pyRepr } from '../api/common.ts';
import { statSync } from 'node:fs';
import { join } from 'node:path';

const STYLE = `body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
th,td{text-align:left;vertical-align:top;padding:.25em .75em;border-bottom:1px solid #ddd}
th{white-space:nowrap;color:#555}pre{margin:0;white-space:pre-wrap}.FAILED,.CANCELED{color:#b00}.CLOSED{color:#070}`;

function safeRequest(xml: string | undefined): unknown[] {
  try {
    return decodeRequest(xml ?? '');
  } catch {
    return [];
  }
}

function fileUrl(taskId: number, volume: string, file: string): string {
  const vol = volume === 'DEFAULT' ? '' : `/vol/${encodeURIComponent(volume)}`;
  return `/kojifiles${vol}/work/${taskRelPath(taskId)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

function page(title: string, body: unknown, refresh: boolean) {
  return html`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title>${refresh ? html`<meta http-equiv="refresh" content="5">` : ''}<style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export function taskinfoRoutes(hub: Hub): Hono {
  const app = new Hono();
  app.get('/taskinfo', (c) => {
    const raw = c.req.query('taskID') ?? '';
    if (!/^\d+$/.test(raw)) return c.html(page('Bad request', html`<h1>Bad request</h1><p>taskID must be a task number, not "${raw}".</p>`, false), 400);
    const id = Number(raw);
    const task = getTaskRow(hub.store, id, true, true);
    if (!task) return c.html(page('No such task', html`<h1>No such task: ${id}</h1>`, false), 404);
    const state = TASK_STATES.nameOf(task.state) ?? String(task.state);
    const request = safeRequest(task.request);
    const host = task.host_id !== null ? findHost(hub.store, task.host_id) : null;
    const channel = findChannel(hub.store, task.channel_id);
    const parent = task.parent !== null ? getTaskRow(hub.store, task.parent, true) : null;
    const children = getChildRows(hub.store, id, true);
    const finished = task.state === TASK_STATES.CLOSED || task.state === TASK_STATES.FAILED || task.state === TASK_STATES.CANCELED;
    let outcome: unknown = '';
    if (task.result) {
      const r = decodeResult(task.result);
      outcome = r.ok
        ? html`<tr><th>Result</th><td><pre>${pyRepr(r.value)}</pre></td></tr>`
        : html`<tr><th>Fault</th><td class="FAILED"><pre>${r.faultString}</pre> (fault code ${r.faultCode})</td></tr>`;
    }
    const waiting = explainTask(hub, id);
    const notes = hub.plugins.flatMap((p) => p.taskPageNotes?.(hub, id) ?? []);
    const files: Array<{ volume: string; file: string; size: number }> = [];
    for (const volume of volumeNames(hub.store)) {
      const dir = taskDir(hub, id, volume);
      for (const file of walkFiles(dir, (real) => hub.serves(real))) files.push({ volume, file, size: statSync(join(dir, file)).size });
    }
    const when = (ts: number | null) => (ts === null ? '' : isoTime(ts));
    const body = html`<h1>Task ${id}: ${taskLabel({ method: task.method, arch: task.arch, request })}</h1>
<table>
<tr><th>ID</th><td>${id}</td></tr>
<tr><th>Method</th><td>${task.method}</td></tr>
<tr><th>State</th><td class="${state}">${state.toLowerCase()}${waiting ? html` — ${waiting}` : ''}</td></tr>
<tr><th>Owner</th><td>${userName(hub.store, task.owner) ?? task.owner}</td></tr>
<tr><th>Host</th><td>${host?.name ?? ''}</td></tr>
<tr><th>Channel</th><td>${channel?.name ?? task.channel_id}</td></tr>
<tr><th>Arch</th><td>${task.arch}</td></tr>
<tr><th>Priority</th><td>${task.priority}</td></tr>
<tr><th>Weight</th><td>${task.weight.toFixed(2)}</td></tr>
<tr><th>Created</th><td>${when(task.create_time)}</td></tr>
<tr><th>Started</th><td>${when(task.start_time)}</td></tr>
<tr><th>Completed</th><td>${when(task.completion_time)}</td></tr>
<tr><th>Parent</th><td>${parent ? html`<a href="/koji/taskinfo?taskID=${parent.id}">${parent.id} ${taskLabel({ method: parent.method, arch: parent.arch, request: safeRequest(parent.request) })}</a>` : ''}</td></tr>
<tr><th>Children</th><td>${children.length ? html`<ul>${children.map((ch) => html`<li><a href="/koji/taskinfo?taskID=${ch.id}">${ch.id} ${taskLabel({ method: ch.method, arch: ch.arch, request: safeRequest(ch.request) })}</a> <span class="${TASK_STATES.nameOf(ch.state) ?? ''}">${(TASK_STATES.nameOf(ch.state) ?? '').toLowerCase()}</span></li>`)}</ul>` : 'none'}</td></tr>
<tr><th>Request</th><td><pre>${request.map((p) => pyRepr(p)).join('\n')}</pre></td></tr>
${outcome}
${notes.length ? html`<tr><th>Notes</th><td>${notes.map((n) => html`<div>${n}</div>`)}</td></tr>` : ''}
<tr><th>Output</th><td>${files.length ? html`<ul>${files.map((f) => html`<li><a href="${fileUrl(id, f.volume, f.file)}">${f.file}</a>${f.volume === 'DEFAULT' ? '' : ` (${f.volume})`} — ${f.size} bytes</li>`)}</ul>` : 'none'}</td></tr>
</table>`;
    return c.html(page(`Task ${id}`, body, !finished));
  });
  return app;
}
