/**
 * @module
 * Name checks for things users create (tags, targets, permissions, users,
 * hosts), with Koji's default rules and messages.
 */
import { GenericError } from './faults.ts';

const MAX_NAME_LENGTH = 256;
const NAME_INTERNAL = /^[A-Za-z0-9/_.+-]+$/;
const USER_NAME = /^[A-Za-z0-9/_.@-]+$/;

export function verifyNameInternal(name: unknown): string {
  if (typeof name !== 'string') throw GenericError('Name should be string');
  if (name.length > MAX_NAME_LENGTH) throw GenericError(`Name ${name} is too long. Max length is ${MAX_NAME_LENGTH} characters`);
  if (!NAME_INTERNAL.test(name)) throw GenericError(`Name ${name} does not match RegexNameInternal value`);
  return name;
}

export function verifyNameUser(name: unknown, krb?: unknown): string {
  if (typeof name !== 'string') throw GenericError('Name should be string');
  if (name.length > MAX_NAME_LENGTH) throw GenericError(`Name ${name} is too long. Max length is ${MAX_NAME_LENGTH} characters`);
  if (!USER_NAME.test(name)) throw GenericError(`Name ${name} does not match RegexUserName value`);
  if (krb !== undefined && krb !== null) {
    if (typeof krb !== 'string') throw GenericError('Kerberos principal should be string');
    if (!USER_NAME.test(krb)) throw GenericError(`Kerberos principal ${krb} does not match RegexUserName value`);
  }
  return name;
}
