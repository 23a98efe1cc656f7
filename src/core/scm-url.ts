/**
 * @module
 * Which sources are SCM URLs: the schemes Koji's builder accepts
 * (koji.daemon.SCM.types). The hub uses this to tell an SCM build from an
 * uploaded SRPM; the builder to parse and check one out.
 */

export const SCM_TYPES: Record<string, string[]> = {
  CVS: ['cvs://'],
  'CVS+SSH': ['cvs+ssh://'],
  GIT: ['git://', 'git+http://', 'git+https://', 'git+rsync://'],
  'GIT+SSH': ['git+ssh://'],
  SVN: ['svn://', 'svn+http://', 'svn+https://'],
  'SVN+SSH': ['svn+ssh://'],
};

/** Koji's SCM.is_scm_url. */
export function isScmUrl(url: string): boolean {
  return Object.values(SCM_TYPES).some((schemes) => schemes.some((s) => url.startsWith(s)));
}
