/**
 * @module
 * Getting a kiwi description on the builder: the SCM URL must be allowed
 * (kojid.conf allowed_scms and/or the hub's build_from_scm policy, with
 * the policy data Koji's kiwi plugin gives), is checked out with the
 * builder's git checkout (src/builder/scm.ts), and the description file
 * and its includes are read from inside the checkout only; a path or
 * symlink leading out of it is refused.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { BuildError, ConfigurationError, GenericError } from '../../src/core/faults.ts';
import { kw } from '../../src/client/session.ts';
import type { TaskContext } from '../../src/builder/handler.ts';
import { Scm } from '../../src/builder/scm.ts';
import { DescriptionError } from './description.ts';

type Dict = Record<string, unknown>;

/** Koji's SCM.assert_allowed as the kiwi tasks call it. */
export async function assertScmAllowed(task: TaskContext, scm: Scm, scratch: boolean): Promise<void> {
  const c = task.config;
  if (!c.allowed_scms_use_config && !c.allowed_scms_use_policy) {
    throw ConfigurationError('allowed_scms_use_config and allowed_scms_use_policy are both off: no SCM is allowed');
  }
  if (c.allowed_scms_use_config) scm.assertAllowedByConfig(c.allowed_scms);
  if (c.allowed_scms_use_policy) {
    const channel = await task.session.call<Dict>('getChannel', task.info.channel_id, kw({ strict: true }));
    const data = { user_id: task.info.owner, channel: channel.name, scratch, ...scm.policyData() };
    scm.applyPolicyResult(await task.session.call<string | null>('host.evalPolicy', 'build_from_scm', data));
  }
}

/**
 * Check the description's repository out under `scmdir` (its output to the
 * task log `logName`); returns the checkout directory.
 */
export async function checkoutDescription(task: TaskContext, url: string, scratch: boolean, scmdir: string, logName: string): Promise<string> {
  const scm = new Scm(url, task.config.allow_password_in_scm_url);
  await assertScmAllowed(task, scm, scratch);
  const log = task.openLog(logName);
  try {
    return await scm.checkout(scmdir, log.path, task.signal);
  } finally {
    await log.close();
  }
}

/** True when `path` (after symlinks) is `root` or inside it. */
function inside(root: string, path: string): boolean {
  const rel = relative(realpathSync(root), realpathSync(path));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** The host path of the description file `descPath` of a checkout; it must exist and stay inside. */
export function descriptionFile(checkout: string, descPath: string): string {
  const path = resolve(checkout, descPath);
  if (!path.startsWith(`${resolve(checkout)}/`)) throw GenericError(`Invalid description path: ${descPath}`);
  if (!existsSync(path)) throw BuildError(`Kiwi description ${descPath} does not exist in the checkout`);
  if (!inside(checkout, path)) throw GenericError(`Kiwi description ${descPath} leads outside the checkout`);
  if (!statSync(path).isFile()) throw BuildError(`Kiwi description ${descPath} is not a file`);
  return path;
}

/**
 * A reader of include files relative to the description's directory for
 * prepareDescription: null when missing; refused when a symlink leads
 * outside the checkout.
 */
export function includeReader(checkout: string, descFile: string): (rel: string) => string | null {
  const base = dirname(descFile);
  return (rel) => {
    const path = join(base, rel);
    if (!existsSync(path)) return null;
    if (!inside(checkout, path)) throw GenericError(`Included file this://${rel} leads outside the checkout`);
    if (!statSync(path).isFile()) throw GenericError(`Included file this://${rel} is not a file`);
    return readFileSync(path, 'utf8');
  };
}

/** A description problem as the fault Koji raises for it; other errors as they are. */
export function descriptionFault(err: unknown): unknown {
  if (err instanceof DescriptionError) return err.kind === 'BuildError' ? BuildError(err.message) : GenericError(err.message);
  return err;
}
