/**
 * @module
 * SCM URLs as kojid reads them: `scheme://[user@]host/path/to/repo?module#revision`,
 * checked against kojid.conf's allowed_scms (`host:repository[:use_common[:source_cmd]]`,
 * `!host:repository` to refuse, globs allowed) or the hub's build_from_scm
 * policy, and checked out with git on the builder. Only git is supported
 * for checkouts (CVS and SVN URLs parse, then fail with Koji's message).
 */
import { closeSync, existsSync, openSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BuildError, GenericError } from '../core/faults.ts';
import { fnmatch } from '../core/fnmatch.ts';
import { isScmUrl, SCM_TYPES } from '../core/scm-url.ts';

export { isScmUrl };

export class Scm {
  readonly url: string;
  readonly scheme: string;
  readonly user: string | null;
  readonly host: string;
  readonly repository: string;
  readonly module: string;
  readonly revision: string;
  readonly scmtype: string;
  useCommon = true;
  sourceCmd: string[] | null = ['make', 'sources'];
  sourcedir: string | null = null;

  constructor(url: string, allowPassword = false) {
    if (!isScmUrl(url)) throw GenericError(`Invalid SCM URL: ${url}`);
    this.url = url;
    this.scheme = url.split('://')[0] + '://';
    const rest = url.slice(this.scheme.length);
    const netEnd = rest.search(/[/?#]/);
    const netloc = netEnd < 0 ? rest : rest.slice(0, netEnd);
    let tail = netEnd < 0 ? '' : rest.slice(netEnd);
    const hashAt = tail.indexOf('#');
    const fragment = hashAt < 0 ? '' : tail.slice(hashAt + 1);
    if (hashAt >= 0) tail = tail.slice(0, hashAt);
    const qAt = tail.indexOf('?');
    const query = qAt < 0 ? '' : tail.slice(qAt + 1);
    let path = qAt < 0 ? tail : tail.slice(0, qAt);
    const userhost = netloc.split('@');
    if (userhost.length > 2) throw GenericError(`Invalid username@hostname specified: ${netloc}`);
    if (!netloc) throw GenericError(`Unable to parse SCM URL: ${url} . Could not find the netloc element.`);
    const [user, password] = userhost.length === 2 ? splitOnce(userhost[0]!, ':') : [null, null];
    if (password !== null && !allowPassword) throw GenericError(`username:password format not supported: ${user}:${password}`);
    this.user = user === null ? null : password === null ? user : `${user}:${password}`;
    this.host = userhost.at(-1)!;
    if (!path) throw GenericError(`Unable to parse SCM URL: ${url} . Could not find the path element.`);
    path = path.replace(/\/+/g, '/').replace(/\/+$/, '');
    if (!path.startsWith('/')) throw GenericError(`Invalid SCM URL. Path should begin with /: ${url}`);
    if (path.includes(';')) throw GenericError(`Unable to parse SCM URL: ${url} . Params element ${path.slice(path.indexOf(';') + 1)} should be empty.`);
    this.repository = path;
    this.module = query.replace(/\/+$/, '');
    this.revision = fragment;
    if (!this.revision) throw GenericError(`Unable to parse SCM URL: ${url} . Could not find the fragment element.`);
    this.scmtype = Object.entries(SCM_TYPES).find(([, schemes]) => schemes.includes(this.scheme))![0];
  }

  /**
   * kojid's assert_allowed_by_config: the first matching entry decides;
   * its optional fields set use_common and the source command.
   */
  assertAllowedByConfig(allowed: string[]): void {
    let ok = false;
    for (const entry of allowed) {
      const parts = entry.split(':');
      if (parts.length < 2) continue;
      let hostPat = parts[0]!;
      const invert = hostPat.startsWith('!');
      if (invert) hostPat = hostPat.slice(1);
      if (!fnmatch(this.host, hostPat) || !fnmatch(this.repository, parts[1]!)) continue;
      if (invert) break;
      ok = true;
      if (parts.length >= 3 && ['no', 'off', 'false', '0'].includes(parts[2]!.toLowerCase())) this.useCommon = false;
      if (parts.length >= 4) this.sourceCmd = parts[3] ? parts[3].split(',') : null;
      break;
    }
    if (!ok) throw BuildError(`${this.host}:${this.repository} is not in the list of allowed SCMs`);
  }

  /**
   * kojid's assert_allowed_by_policy: build_from_scm answers
   * `allow [use_common] [cmd|none]` or a denial.
   */
  applyPolicyResult(result: string | null): void {
    const words = (result ?? '').trim().split(/\s+/).filter(Boolean);
    if (words[0]?.toLowerCase() !== 'allow') {
      throw BuildError(`${this.host}:${this.repository} is not allowed by the build_from_scm policy${result ? `: ${result}` : ''}`);
    }
    this.useCommon = words[1] === 'use_common';
    const cmd = words.slice(this.useCommon ? 2 : 1).join(' ');
    if (cmd) this.sourceCmd = cmd === 'none' ? null : cmd.split(',');
  }

  /** Policy data describing this URL (kojid's get_info with scm_ prefixes). */
  policyData(): Record<string, unknown> {
    return {
      scm_url: this.url, scm_scheme: this.scheme, scm_user: this.user, scm_host: this.host,
      scm_repository: this.repository, scm_module: this.module, scm_revision: this.revision, scm_type: this.scmtype,
    };
  }

  /**
   * Check the module out under `scmdir` (git clone, fetch the revision,
   * reset to it; the `common` repo too when use_common); output goes to
   * `logfile`. Returns the directory holding the spec.
   */
  async checkout(scmdir: string, logfile: string, signal?: AbortSignal): Promise<string> {
    if (this.scmtype !== 'GIT') throw BuildError(`Unknown SCM type: ${this.scmtype}`);
    const scheme = this.scheme.includes('+') ? this.scheme.split('+')[1]! : this.scheme;
    const gitrepo = this.user ? `${scheme}${this.user}@${this.host}${this.repository}` : `${scheme}${this.host}${this.repository}`;
    let commonrepo = `${dirname(gitrepo)}/common`;
    let checkoutPath = basename(this.repository);
    if (this.repository.endsWith('/.git')) {
      checkoutPath = basename(this.repository.slice(0, -5));
      commonrepo = `${dirname(gitrepo.slice(0, -5))}/common/.git`;
    } else if (this.repository.endsWith('.git')) {
      checkoutPath = basename(this.repository.slice(0, -4));
      commonrepo = `${dirname(gitrepo.slice(0, -4))}/common.git`;
    }
    const rev = this.revision.startsWith('origin/') ? this.revision.slice(7) : this.revision;
    const top = join(scmdir, checkoutPath);
    const run = async (cmd: string[], cwd: string) => {
      const fd = openSync(logfile, 'a');
      try {
        const p = Bun.spawn(cmd, { cwd, stdout: fd, stderr: fd, stdin: 'ignore', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
        const onAbort = () => p.kill();
        signal?.addEventListener('abort', onAbort);
        const code = await p.exited;
        signal?.removeEventListener('abort', onAbort);
        return code;
      } finally {
        closeSync(fd);
      }
    };
    const fatal = async (cmd: string[], cwd: string) => {
      if ((await run(cmd, cwd)) !== 0) {
        throw BuildError(`Error running ${this.scmtype} command "${cmd.join(' ')}", see ${basename(logfile)} for details`);
      }
    };
    await fatal(['git', 'clone', '-n', gitrepo, top], scmdir);
    const fetched = (await run(['git', 'fetch', 'origin', `${rev}:KOJI_FETCH_HEAD`], top)) === 0 && (await run(['git', 'reset', '--hard', 'KOJI_FETCH_HEAD'], top)) === 0;
    // short or unusual refs: the old-style checkout
    if (!fetched) await fatal(['git', 'reset', '--hard', this.revision], top);
    let sourcedir = top;
    if (this.module) sourcedir = join(top, this.module);
    if (this.useCommon) {
      await fatal(['git', 'clone', commonrepo, 'common'], scmdir);
      const link = join(sourcedir, '..', 'common');
      if (!existsSync(link)) {
        const depth = dirname(sourcedir).slice(scmdir.length + 1).split('/').filter(Boolean).length;
        symlinkSync(`${'../'.repeat(depth)}common`, link);
      }
    }
    this.sourcedir = sourcedir;
    return sourcedir;
  }

  /** kojid's get_source: the URL with the fragment replaced by the commit checked out. */
  async source(): Promise<{ url: string; source: string }> {
    if (!this.scmtype.startsWith('GIT') || !this.sourcedir) return { url: this.url, source: this.url };
    const p = Bun.spawnSync(['git', 'rev-parse', 'HEAD'], { cwd: this.sourcedir, stdout: 'pipe', stderr: 'ignore' });
    if (p.exitCode !== 0) throw GenericError('Error getting commit hash for git');
    const commit = p.stdout.toString().trim();
    const scheme = this.scheme.slice(0, -3);
    return { url: this.url, source: `${scheme}://${this.host}${this.repository}${this.module ? `?${this.module}` : ''}#${commit}` };
  }
}

function splitOnce(text: string, sep: string): [string, string | null] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, null] : [text.slice(0, i), text.slice(i + 1)];
}
