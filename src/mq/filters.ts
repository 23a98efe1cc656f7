/**
 * @module
 * Reading the AMQP source filter set a receiver attaches with. Only the
 * selector filter is understood; other filters are left out of the source
 * the broker echoes back, which is how AMQP tells a receiver a filter was not
 * applied.
 */

/** The selector filter's descriptor, as a symbol and as its numeric code 0x0000468C00000004. */
export const SELECTOR_DESCRIPTOR = 'apache.org:selector-filter:string';
const SELECTOR_CODE = 0x0000468c00000004n;

/** Raised for a filter set the broker cannot honour; the link is refused with `condition`. */
export class FilterError extends Error {
  constructor(
    readonly condition: 'amqp:invalid-field' | 'amqp:not-implemented',
    message: string,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

/** A decoded described value as rhea hands it over (a `Typed` with a descriptor). */
interface DescribedLike {
  value?: unknown;
  descriptor?: { value?: unknown };
}

function isSelectorDescriptor(descriptor: unknown): boolean {
  if (typeof descriptor === 'string') return descriptor === SELECTOR_DESCRIPTOR;
  if (typeof descriptor === 'number') return BigInt(descriptor) === SELECTOR_CODE;
  if (typeof descriptor === 'bigint') return descriptor === SELECTOR_CODE;
  if (descriptor instanceof Uint8Array && descriptor.length === 8) {
    return Buffer.from(descriptor).readBigUInt64BE(0) === SELECTOR_CODE;
  }
  return false;
}

export interface SourceFilters {
  /** Selector text, or null when the receiver set none. */
  selector: string | null;
  /** The entries the broker applies, to echo back in its attach. */
  accepted: Record<string, unknown> | undefined;
}

/**
 * Picks the selector out of a receiver's filter set.
 * @throws FilterError when there are several selectors or one is not a string.
 */
export function readSourceFilters(filter: Record<string, unknown> | undefined | null): SourceFilters {
  let selector: string | null = null;
  let accepted: Record<string, unknown> | undefined;
  for (const [name, entry] of Object.entries(filter ?? {})) {
    const described = entry as DescribedLike | null;
    if (!described || !isSelectorDescriptor(described.descriptor?.value)) continue;
    if (typeof described.value !== 'string') {
      throw new FilterError('amqp:invalid-field', `selector filter '${name}' must carry a string`);
    }
    if (selector !== null) {
      throw new FilterError('amqp:not-implemented', 'only one selector filter per receiver is supported');
    }
    selector = described.value;
    accepted = { [name]: entry };
  }
  return { selector, accepted };
}
