/**
 * @module
 * Koji's enumerations. The value of each state is its position, as in koji.Enum.
 */

function enumOf<const T extends readonly string[]>(names: T) {
  const byName = Object.fromEntries(names.map((n, i) => [n, i])) as { [K in T[number]]: number };
  return Object.assign(byName, { names, nameOf: (v: number) => names[v] });
}

export const TASK_STATES = enumOf(['FREE', 'OPEN', 'CLOSED', 'CANCELED', 'ASSIGNED', 'FAILED'] as const);
export const BUILD_STATES = enumOf(['BUILDING', 'COMPLETE', 'DELETED', 'FAILED', 'CANCELED'] as const);
export const REPO_STATES = enumOf(['INIT', 'READY', 'EXPIRED', 'DELETED', 'PROBLEM'] as const);
export const BR_STATES = enumOf(['INIT', 'WAITING', 'BUILDING', 'EXPIRED'] as const);
export const USER_STATUS = enumOf(['NORMAL', 'BLOCKED'] as const);
export const USERTYPES = enumOf(['NORMAL', 'HOST', 'GROUP'] as const);
export const AUTHTYPES = enumOf(['NORMAL', 'KERBEROS', 'SSL', 'GSSAPI'] as const);
export const CHECKSUM_TYPES = enumOf(['md5', 'sha1', 'sha256'] as const);

export const PRIO_DEFAULT = 20;
export const KOJI_VERSION = '1.35.3';
export const API_VERSION = 1;
