/**
 * @module
 * editSideTag: what a sidetag's owner may change without the tag
 * permission, as the base tag's extra allows it: debuginfo in the repo
 * (`sidetag_debuginfo_allowed`) and rpm macros matching the globs of
 * `sidetag_rpm_macros_allowed` (a list, or one whitespace-separated
 * string). Raw `extra` needs sidetag_admin or admin. Koji's checks and
 * texts; where Koji lets remove_rpm_macros replace remove_extra, both apply.
 */
import { GenericError, ParameterError } from '../../src/core/faults.ts';
import { fnmatchAny } from '../../src/core/fnmatch.ts';
import { api, type ApiMethod } from '../../src/hub/rpc/method.ts';
import { isStruct, pyType } from '../../src/hub/rpc/args.ts';
import type { CallContext } from '../../src/hub/context.ts';
import { pyRepr } from '../../src/hub/api/common.ts';
import { getTagInfo, requireTag, type TagInfo } from '../../src/hub/api/lookups.ts';
import { lookupUser } from '../../src/hub/api/users.ts';
import { editTagInTx } from '../../src/hub/api/tags.ts';
import { assertSidetag, assertSidetagOwner } from './rules.ts';
import { parentIds } from './store.ts';

/** Koji's convert_value(check_only=True) failure text. */
function wrongType(value: unknown, expected: 'dict' | 'list'): Error {
  const shown = typeof value === 'string' ? value : pyRepr(value);
  return ParameterError(`Invalid type for value '${shown}': ${pyType(value)}, expected type <class '${expected}'>`);
}

/** rpm's rule for a macro name: at least two characters, starting with a letter or `_`. */
export function validMacroName(name: string): boolean {
  return [...name].length > 1 && /^[\p{L}_]/u.test(name);
}

/** The parent's `sidetag_rpm_macros_allowed` as a glob list, with Koji's errors. */
export function allowedMacros(parent: TagInfo): string[] {
  const raw = parent.extra.sidetag_rpm_macros_allowed;
  let list: unknown[];
  if (raw === undefined || raw === null) list = [];
  else if (typeof raw === 'string') list = raw.split(/\s+/).filter(Boolean);
  else if (Array.isArray(raw)) list = raw;
  else throw GenericError(`rpm_macros_allowed in ${parent.name} has invalid type: ${pyType(raw)}`);
  if (list.some((m) => typeof m !== 'string')) throw GenericError(`Allowed rpm macro list ${pyRepr(list)} is invalid for ${parent.name}.`);
  if (!list.length) throw GenericError('RPM macros change is not allowed in parent tag.');
  return list as string[];
}

/** editSideTag's arguments as they came over the wire (nil when not given). */
export interface EditSideTagArgs {
  debuginfo: unknown;
  rpm_macros: unknown;
  remove_rpm_macros: unknown;
  extra: unknown;
  remove_extra: unknown;
}

/** Koji's editSideTag: checks, then one editTag2-style change of the sidetag's extra. */
export function editSideTag(ctx: CallContext, ref: unknown, a: EditSideTagArgs): void {
  const session = ctx.requireLogin();
  lookupUser(ctx, session.userId, true);
  const tag = requireTag(ctx, ref);
  assertSidetag(tag);
  assertSidetagOwner(tag, session.userId, ctx.hasPerm('admin'));
  const none = (v: unknown) => v === null || v === undefined;
  if ((!none(a.extra) || !none(a.remove_extra)) && !ctx.hasPerm('sidetag_admin')) {
    throw GenericError('Extra can be modified only with sidetag_admin or admin permissions.');
  }
  if (!none(a.extra) && !isStruct(a.extra)) throw wrongType(a.extra, 'dict');
  if (!none(a.remove_extra) && !Array.isArray(a.remove_extra)) throw wrongType(a.remove_extra, 'list');
  const extra: Record<string, unknown> = { ...((a.extra as Record<string, unknown> | null) ?? {}) };
  const removeExtra: string[] = ((a.remove_extra as unknown[] | null) ?? []).map(String);

  const parentId = parentIds(ctx.store, tag.id)[0];
  const parent = parentId === undefined ? null : getTagInfo(ctx, parentId);
  if (!parent) throw GenericError(`Sidetag ${tag.name} has no parent tag`);

  if (!none(a.debuginfo) && !parent.extra.sidetag_debuginfo_allowed) throw GenericError('Debuginfo setting is not allowed in parent tag.');
  const wantsMacros = (v: unknown) => (Array.isArray(v) ? v.length > 0 : isStruct(v) ? Object.keys(v).length > 0 : Boolean(v));
  const allowed = wantsMacros(a.rpm_macros) || wantsMacros(a.remove_rpm_macros) ? allowedMacros(parent) : [];

  if (!none(a.debuginfo)) extra.with_debuginfo = Boolean(a.debuginfo);
  if (!none(a.rpm_macros)) {
    if (!isStruct(a.rpm_macros)) throw wrongType(a.rpm_macros, 'dict');
    for (const [macro, value] of Object.entries(a.rpm_macros)) {
      if (!validMacroName(macro)) throw GenericError(`Invalid macro name ${pyRepr(macro)}`);
      if (!fnmatchAny(macro, allowed)) throw GenericError(`RPM macro ${macro} editing is not allowed via parent tag`);
      extra[`rpm.macro.${macro}`] = value;
    }
  }
  if (!none(a.remove_rpm_macros)) {
    if (!Array.isArray(a.remove_rpm_macros)) throw wrongType(a.remove_rpm_macros, 'list');
    for (const macro of a.remove_rpm_macros.map(String)) {
      if (!fnmatchAny(macro, allowed)) throw GenericError(`RPM macro ${macro} editing is not allowed via parent tag`);
      removeExtra.push(`rpm.macro.${macro}`);
    }
  }
  editTagInTx(ctx, tag.id, { extra, remove_extra: removeExtra });
}

/** editSideTag as an API method. */
export const editSideTagMethods: ApiMethod[] = [
  api(
    'editSideTag(sidetag, debuginfo=None, rpm_macros=None, remove_rpm_macros=None, extra=None, remove_extra=None)',
    "Change a sidetag (its owner or an admin) as its parent's extra allows: debuginfo (sidetag_debuginfo_allowed), " +
      'rpm_macros / remove_rpm_macros (globs in sidetag_rpm_macros_allowed); extra / remove_extra need sidetag_admin.',
    { access: 'anon' },
    (ctx, a) =>
      editSideTag(ctx, a.sidetag, {
        debuginfo: a.debuginfo,
        rpm_macros: a.rpm_macros,
        remove_rpm_macros: a.remove_rpm_macros,
        extra: a.extra,
        remove_extra: a.remove_extra,
      }),
  ),
];
