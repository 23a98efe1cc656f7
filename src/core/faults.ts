/**
 * @module
 * Koji's error classes and their wire fault codes. The client maps a fault
 * code back to a class, so names and numbers must match koji exactly; the
 * table is explicit rather than derived.
 */

export const FAULT_CODES = {
  GenericError: 1000,
  LockError: 1001,
  AuthError: 1002,
  TagError: 1003,
  ActionNotAllowed: 1004,
  BuildError: 1005,
  AuthLockError: 1006,
  AuthExpired: 1007,
  SequenceError: 1008,
  RetryError: 1009,
  PreBuildError: 1010,
  PostBuildError: 1011,
  BuildrootError: 1012,
  FunctionDeprecated: 1013,
  ServerOffline: 1014,
  LiveCDError: 1015,
  PluginError: 1016,
  CallbackError: 1017,
  ApplianceError: 1018,
  ParameterError: 1019,
  ImportError: 1020,
  ConfigurationError: 1021,
  LiveMediaError: 1022,
  GSSAPIAuthError: 1023,
  NameValidationError: 1024,
} as const;

export type FaultName = keyof typeof FAULT_CODES;

const NAME_BY_CODE = new Map<number, FaultName>(
  Object.entries(FAULT_CODES).map(([name, code]) => [code, name as FaultName]),
);

/** An error that crosses the wire as an XML-RPC fault with koji's code. */
export class KojiError extends Error {
  readonly faultName: FaultName;
  readonly faultCode: number;
  constructor(faultName: FaultName, message: string) {
    super(message);
    this.faultName = faultName;
    this.faultCode = FAULT_CODES[faultName];
    this.name = faultName;
  }
}

/** Name of the koji class for a fault code; unknown codes stay generic. */
export function faultNameForCode(code: number): FaultName | undefined {
  return NAME_BY_CODE.get(code);
}

export const GenericError = (msg: string) => new KojiError('GenericError', msg);
export const ParameterError = (msg: string) => new KojiError('ParameterError', msg);
export const ActionNotAllowed = (msg: string) => new KojiError('ActionNotAllowed', msg);
export const AuthError = (msg: string) => new KojiError('AuthError', msg);
export const TagError = (msg: string) => new KojiError('TagError', msg);
export const LockError = (msg: string) => new KojiError('LockError', msg);
export const BuildError = (msg: string) => new KojiError('BuildError', msg);
export const PreBuildError = (msg: string) => new KojiError('PreBuildError', msg);
export const ConfigurationError = (msg: string) => new KojiError('ConfigurationError', msg);
export const NameValidationError = (msg: string) => new KojiError('NameValidationError', msg);
export const PluginError = (msg: string) => new KojiError('PluginError', msg);
