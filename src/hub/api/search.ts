/**
 * @module
 * Koji's `search(terms, type, matchType, queryOpts)`: {id, name} of
 * packages, builds (by N-V-R), tags, targets, users, hosts and rpms (by
 * file name) matching a case-insensitive glob, a case-insensitive regular
 * expression or an exact name. kojibox records no Maven or Windows archives,
 * so those kinds find nothing; 'file' finds nothing in Koji either.
 */
import { GenericError } from '../../core/faults.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asString } from '../rpc/args.ts';
import type { CallContext } from '../context.ts';
import { SEARCH_KINDS, searchRows, type SearchKind } from '../../store/search.ts';
import { applyQueryOpts } from './common.ts';
import { matchNames, RegexTimeout } from '../../core/regex-match.ts';

/** How long a regular expression may take over all the names of a kind. */
const REGEXP_TIMEOUT_MS = 5000;

/** Kinds Koji knows whose rows kojibox never has (no Maven/Windows archives; Koji dropped file search). */
const EMPTY_KINDS = new Set(['maven', 'win', 'file']);

/**
 * Koji's glob in LIKE terms: `*` and `?` are the wildcards, `_` and `\` are
 * literal. `%` is left as it is, so it is a wildcard too, as in Koji.
 */
export function globToLike(glob: string): string {
  return glob.replace(/\\/g, '\\\\').replace(/_/g, '\\_').replace(/\?/g, '_').replace(/\*/g, '%');
}

/**
 * A bad pattern: Koji's database refuses it (its client sees a psycopg2
 * error); kojibox says so plainly, as a GenericError.
 */
function invalidRegexp(message: string): Error {
  return GenericError(`invalid regular expression: ${message}`);
}

async function search(ctx: CallContext, a: Record<string, unknown>): Promise<unknown> {
  if (!a.terms) throw GenericError('empty search terms');
  const terms = asString(a.terms, 'terms');
  const type = String(a.type);
  if (EMPTY_KINDS.has(type)) return applyQueryOpts([], a.queryOpts);
  if (!(SEARCH_KINDS as string[]).includes(type)) throw GenericError(`No such search type: ${type}`);
  const kind = type as SearchKind;
  let rows: Array<{ id: number; name: string }>;
  if (a.matchType === 'glob') rows = searchRows(ctx.store, kind, { like: globToLike(terms) });
  else if (a.matchType === 'regexp') {
    let re: RegExp;
    try {
      re = new RegExp(terms, 'i');
    } catch (err) {
      throw invalidRegexp(err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err));
    }
    // SQLite has no regular expressions: the names are matched here, off the hub's thread
    const all = ctx.store.tx(() => searchRows(ctx.store, kind, null));
    let hits: boolean[];
    try {
      hits = await matchNames(re.source, re.flags, all.map((r) => r.name), REGEXP_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof RegexTimeout) throw GenericError(`regular expression too costly: ${err.message}`);
      throw err;
    }
    rows = all.filter((_, i) => hits[i]);
  } else rows = searchRows(ctx.store, kind, { exact: terms });
  return applyQueryOpts(rows, a.queryOpts);
}

export const searchMethods: ApiMethod[] = [
  api(
    'search(terms, type, matchType, queryOpts=None)',
    'Find {id, name} of packages, builds, tags, targets, users, hosts or rpms whose name matches terms: matchType glob or regexp (both case-insensitive), anything else an exact match. queryOpts limits and orders.',
    // async: a regular expression is matched in a worker (see ../../core/regex-match.ts)
    { access: 'anon', async: true },
    (ctx, a) => search(ctx, a),
  ),
];
