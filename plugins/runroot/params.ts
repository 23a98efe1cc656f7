/**
 * @module
 * The runroot task's arguments as the builder handler takes them (Koji's
 * `handler(root, arch, command, keep=False, packages=[], mounts=[],
 * repo_id=None, skip_setarch=False, weight=None, upload_logs=None,
 * new_chroot=None)`), the command line it runs, and the words of its result.
 */
import { GenericError, KojiError, ParameterError } from '../../src/core/faults.ts';

export interface RunrootParams {
  /** The tag, by name or id. */
  root: string | number;
  arch: string;
  command: string | string[];
  keep: boolean;
  packages: string[];
  mounts: string[];
  repo_id: number | null;
  skip_setarch: boolean;
  weight: number | null;
  upload_logs: string[] | null;
  new_chroot: boolean | null;
}

const NAMES = ['root', 'arch', 'command', 'keep', 'packages', 'mounts', 'repo_id', 'skip_setarch', 'weight', 'upload_logs', 'new_chroot'] as const;
const REQUIRED = 3;

function stringList(v: unknown, name: string): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw ParameterError(`runroot: ${name} must be a list of strings`);
  return v as string[];
}

/**
 * Bind a task's positional and keyword arguments to the handler's
 * parameters, as Python would, and check their types.
 *
 * @throws ParameterError for missing, duplicate, unknown or mistyped arguments
 */
export function bindRunrootParams(params: readonly unknown[], kwargs: Record<string, unknown> = {}): RunrootParams {
  if (params.length > NAMES.length) throw ParameterError(`runroot() takes at most ${NAMES.length} arguments (${params.length} given)`);
  const v: Record<string, unknown> = {};
  params.forEach((p, i) => {
    v[NAMES[i]!] = p;
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (!(NAMES as readonly string[]).includes(key)) throw ParameterError(`runroot() got an unexpected keyword argument '${key}'`);
    if (key in v) throw ParameterError(`runroot() got multiple values for argument '${key}'`);
    v[key] = value;
  }
  for (const name of NAMES.slice(0, REQUIRED)) {
    if (!(name in v)) throw ParameterError(`runroot() missing required argument: '${name}'`);
  }
  const root = v.root;
  if (typeof root !== 'string' && !(typeof root === 'number' && Number.isInteger(root))) throw ParameterError('runroot: the tag must be a name or an id');
  if (typeof v.arch !== 'string' || !v.arch) throw ParameterError('runroot: the arch must be a string');
  const command = v.command;
  const isList = Array.isArray(command) && command.every((a) => typeof a === 'string');
  if (!(typeof command === 'string' || isList)) throw GenericError(`Invalid type for value '${String(command)}': expected a string or a list of strings`);
  const repoId = v.repo_id ?? null;
  if (repoId !== null && !(typeof repoId === 'number' && Number.isInteger(repoId))) throw ParameterError('runroot: repo_id must be an integer');
  const weight = v.weight ?? null;
  if (weight !== null && typeof weight !== 'number') throw ParameterError('runroot: weight must be a number');
  return {
    root,
    arch: v.arch,
    command: command as string | string[],
    keep: Boolean(v.keep),
    packages: stringList(v.packages, 'packages'),
    mounts: stringList(v.mounts, 'mounts'),
    repo_id: repoId,
    skip_setarch: Boolean(v.skip_setarch),
    weight,
    upload_logs: v.upload_logs === null || v.upload_logs === undefined ? null : stringList(v.upload_logs, 'upload_logs'),
    new_chroot: v.new_chroot === null || v.new_chroot === undefined ? null : Boolean(v.new_chroot),
  };
}

/** Single-quote a word for sh so it arrives exactly as given. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The shell command line: a string as it is, an argument list quoted word
 * by word (it still goes through the shell, as in Koji, but each word
 * arrives exactly as given).
 */
export function commandLine(command: string | string[]): string {
  return typeof command === 'string' ? command : command.map(shellQuote).join(' ');
}

/**
 * The command's name for the result: the base name of its first word that
 * is not an environment assignment (`FOO=1 make` -> `make`); `(none)` if
 * there is none. A string is split on whitespace, as Koji does.
 */
export function commandName(command: string | string[]): string {
  const words = typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command;
  const first = words.find((w) => !w.includes('='));
  if (first === undefined) return '(none)';
  const base = first.replace(/\/+$/, '').split('/').pop();
  return base === undefined || base === '' ? first : base;
}

/** The task's result: `<cmd> completed successfully`. */
export function successText(command: string | string[]): string {
  return `${commandName(command)} completed successfully`;
}

/** The task's failure: BuildrootError `<cmd> exited with status N`, as Koji's parseStatus words it. */
export function failureError(command: string | string[], exitCode: number): KojiError {
  return new KojiError('BuildrootError', `${commandName(command)} exited with status ${exitCode}`);
}
