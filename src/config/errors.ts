/**
 * @module
 * The one error type of the config layer. It is koji's ConfigurationError
 * (fault 1021) so a bad plugin config that surfaces during a call reaches
 * the client with koji's code, and it carries where the problem is so the
 * message reads like a compiler's: `hub.conf:12: option line without '=' or ':'`.
 */
import { KojiError } from '../core/faults.ts';

/** Where in which file a config problem sits; both parts are optional. */
export interface ConfigLocation {
  file?: string;
  line?: number;
}

/** A config file that cannot be read as koji would read it. */
export class ConfigError extends KojiError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly reason: string;

  constructor(reason: string, where: ConfigLocation = {}) {
    super('ConfigurationError', formatLocation(where) + reason);
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.reason = reason;
  }
}

function formatLocation({ file, line }: ConfigLocation): string {
  if (file !== undefined && line !== undefined) return `${file}:${line}: `;
  if (file !== undefined) return `${file}: `;
  if (line !== undefined) return `line ${line}: `;
  return '';
}
