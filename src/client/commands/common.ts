/**
 * @module
 * Helpers the tag, package, group, target and build commands share:
 * Python-style formatting (koji's CLI prints with %-formats, repr and
 * time.asctime), the --event/--ts/--repo options, and reading faults.
 */
import type { Command } from 'commander';
import { KojiError } from '../../core/faults.ts';
import { kw, type ClientSession } from '../session.ts';
import { CliError } from '../env.ts';

/** Python's repr of a decoded value, single line (as pprint.pformat prints short values). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v).includes('.') ? String(v) : `${v}.0`;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object' && 'value' in v && Object.keys(v).length === 1) return pyRepr((v as { value: unknown }).value);
  return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

/** `%-Ns`: pad right to N (longer text is kept whole, as Python does). */
export const padR = (v: unknown, n: number): string => String(v ?? 'None').padEnd(n);
/** `%Ns`: pad left to N. */
export const padL = (v: unknown, n: number): string => String(v ?? 'None').padStart(n);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** time.asctime(time.localtime(ts)): "Mon Nov 24 05:15:43 2026". */
export function asctime(ts: number): string {
  const d = new Date(ts * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** The CLI's _format_ts: "%y-%m-%d %H:%M:%S" in local time; '' for no value. */
export function shortTime(v: unknown): string {
  const ts = tsNumber(v);
  if (!ts) return '';
  const d = new Date(ts * 1000);
  return `${two(d.getFullYear() % 100)}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** koji.formatTimeLong: "Sat, 07 Sep 2002 00:00:01 UTC" in local time; '' for no value. */
export function formatTimeLong(ts: unknown): string {
  const n = typeof ts === 'object' && ts !== null && 'value' in ts ? (ts as { value: number }).value : ts;
  if (typeof n !== 'number') return '';
  const d = new Date(n * 1000);
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${DAYS[d.getDay()]}, ${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone}`;
}

/** A `*_ts` value as a plain number (the codec may hand doubles over wrapped). */
export function tsNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'value' in v) return Number((v as { value: unknown }).value);
  return null;
}

export interface EventOpts {
  event?: string;
  ts?: string;
  repo?: string;
}

/** Add koji's --event/--ts/--repo options. */
export function addEventOptions(cmd: Command): Command {
  return cmd
    .option('--event <EVENT#>', 'query at event')
    .option('--ts <TIMESTAMP>', 'query at last event before timestamp')
    .option('--repo <REPO#>', 'query at event for a repo');
}

/** koji.util.eventFromOpts: {id, ts} of the event the options name, or null. */
export async function eventFromOpts(s: ClientSession, o: EventOpts): Promise<{ id: number; ts: number } | null> {
  const int = (v: string, name: string) => {
    if (!/^-?\d+$/.test(v.trim())) throw new CliError(`option --${name}: invalid integer value: '${v}'`, 2);
    return Number(v);
  };
  if (o.event && int(o.event, 'event')) {
    const e = await s.call<{ id: number; ts: unknown }>('getEvent', int(o.event, 'event'));
    return { id: e.id, ts: tsNumber(e.ts) ?? 0 };
  }
  if (o.ts !== undefined) {
    const e = await s.call<{ id: number; ts: unknown }>('getLastEvent', kw({ before: int(o.ts, 'ts') }));
    return { id: e.id, ts: tsNumber(e.ts) ?? 0 };
  }
  if (o.repo !== undefined) {
    const r = await s.call<{ create_event: number; create_ts: unknown }>('repoInfo', int(o.repo, 'repo'), kw({ strict: true }));
    return { id: r.create_event, ts: tsNumber(r.create_ts) ?? 0 };
  }
  return null;
}

/** True when a fault says the hub has no such method (an older or partial hub). */
export function isInvalidMethod(err: unknown, method: string): boolean {
  return err instanceof KojiError && err.message === `Invalid method: ${method}`;
}

/** koji_cli.lib.format_inheritance_flags: M(axdepth) F(ilter) I(ntransitive) N(oconfig). */
export function inheritanceFlags(link: { maxdepth: unknown; pkg_filter: unknown; intransitive: unknown; noconfig: unknown }): string {
  return [
    link.maxdepth !== null && link.maxdepth !== undefined ? 'M' : '.',
    link.pkg_filter ? 'F' : '.',
    link.intransitive ? 'I' : '.',
    link.noconfig ? 'N' : '.',
  ].join('');
}

/** Parse a float option as optparse's type='float' would. */
export function floatOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`option --${name}: invalid floating-point value: '${v}'`, 2);
  return n;
}

/** Parse an integer option as optparse's type='int' would. */
export function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`option --${name}: invalid integer value: '${v}'`, 2);
  return Number(v);
}
