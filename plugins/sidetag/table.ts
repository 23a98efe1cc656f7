/**
 * @module
 * `list-sidetags --verbose`: one row per sidetag with its owner, age, time
 * since anything happened in it, builds, newest repo and when the hub's
 * lifetime rules remove it, from listSideTagDetails.
 */
import type { CliEnv } from '../../src/client/env.ts';
import { REPO_STATES } from '../../src/core/states.ts';
import { formatDuration } from './duration.ts';

export interface SidetagDetails {
  id: number;
  name: string;
  user_name: string | null;
  user_id: string;
  basetag_name: string | null;
  create_ts: number;
  last_activity_ts: number;
  builds: number;
  repo_id: number | null;
  repo_state: number | null;
  in_use: boolean;
  keep: boolean;
  expire_ts: number | null;
}

function expires(d: SidetagDetails, now: number): string {
  if (d.keep) return 'kept';
  if (d.expire_ts === null) return 'never';
  if (d.expire_ts <= now) return d.in_use ? 'due (in use)' : 'due';
  return `in ${formatDuration(d.expire_ts - now)}`;
}

/** Rows as text cells, header first. */
export function detailRows(list: SidetagDetails[], now: number): string[][] {
  const rows = [['Sidetag', 'Base', 'Owner', 'Age', 'Idle', 'Builds', 'Repo', 'Expires']];
  for (const d of list) {
    rows.push([
      d.name,
      d.basetag_name ?? '-',
      d.user_name ?? `#${d.user_id}`,
      formatDuration(now - d.create_ts),
      formatDuration(now - d.last_activity_ts),
      String(d.builds),
      d.repo_id === null ? '-' : `${d.repo_id} ${REPO_STATES.nameOf(d.repo_state ?? -1) ?? d.repo_state}`,
      expires(d, now),
    ]);
  }
  return rows;
}

/** Print the table, columns padded to their widest cell; no header with --quiet. */
export function printDetails(env: CliEnv, list: SidetagDetails[], now: number): void {
  const rows = detailRows(list, now);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  if (!env.quiet) {
    env.out(line(rows[0]!));
    env.out(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const r of rows.slice(1)) env.out(line(r));
}
