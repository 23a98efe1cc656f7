/**
 * @module
 * Why a task is still waiting for a host, in words: the first of the
 * scheduler's conditions that no host meets. `taskinfo` shows it for FREE
 * and ASSIGNED tasks.
 */
import { TASK_STATES } from '../../core/states.ts';
import type { Hub } from '../hub.ts';
import { findChannel } from '../../store/channels.ts';
import { findHost, getHostData, listHosts } from '../../store/hosts.ts';
import { getTaskRow } from '../../store/tasks.ts';
import { hostLoads, refusalsOf } from '../../store/scheduler.ts';

function names(list: Array<{ name: string }>): string {
  const shown = list.slice(0, 5).map((h) => h.name).join(', ');
  return list.length > 5 ? `${shown} and ${list.length - 5} more` : shown;
}

/** A sentence for a FREE or ASSIGNED task; null for any other state or an unknown task. */
export function explainTask(hub: Hub, taskId: number): string | null {
  const store = hub.store;
  const task = getTaskRow(store, taskId);
  if (!task) return null;
  if (task.state === TASK_STATES.ASSIGNED) {
    const host = task.host_id !== null ? findHost(store, task.host_id) : null;
    return `assigned to ${host?.name ?? `host ${task.host_id}`}, waiting for it to open the task`;
  }
  if (task.state !== TASK_STATES.FREE) return null;
  const channel = findChannel(store, task.channel_id);
  const cname = channel?.name ?? String(task.channel_id);
  if (channel && !channel.enabled) return `channel ${cname} is disabled`;
  let hosts = listHosts(store, { channelId: task.channel_id });
  if (!hosts.length) return `no hosts in channel ${cname}`;
  hosts = hosts.filter((h) => h.enabled);
  if (!hosts.length) return `no enabled host in channel ${cname}`;
  if (task.arch !== 'noarch') {
    const withArch = hosts.filter((h) => (h.arches ?? '').split(/\s+/).includes(task.arch));
    if (!withArch.length) {
      const have = [...new Set(hosts.flatMap((h) => (h.arches ?? '').split(/\s+/).filter(Boolean)))].sort().join(' ');
      return `no enabled host in channel ${cname} supports arch ${task.arch} (they build: ${have || 'nothing'})`;
    }
    hosts = withArch;
  }
  const withMethod = hosts.filter((h) => {
    const methods = getHostData(store, h.id)?.methods;
    return !Array.isArray(methods) || methods.includes(task.method);
  });
  if (!withMethod.length) return `no enabled host in channel ${cname} has a handler for method ${task.method}`;
  hosts = withMethod;
  const refused = new Map(refusalsOf(store, taskId).map((r) => [r.host_id, r]));
  const willing = hosts.filter((h) => !refused.has(h.id));
  if (!willing.length) {
    return `refused by every suitable host: ${hosts.map((h) => `${h.name} (${refused.get(h.id)?.msg || 'refused'})`).join(', ')}`;
  }
  const ready = willing.filter((h) => h.ready);
  if (!ready.length) return `no suitable host is ready (not checked in recently: ${names(willing)})`;
  const loads = hostLoads(store);
  const busy = ready.map((h) => `${h.name} ${(loads.get(h.id)?.load ?? 0).toFixed(2)}/${h.capacity.toFixed(2)}`);
  return `waiting for capacity on ${busy.join(', ')}`;
}
