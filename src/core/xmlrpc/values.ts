/**
 * @module
 * The value model and error types shared by the XML-RPC parser and encoder.
 * Kept apart so that callers can import the types without the codec.
 */

/** Wrapper forcing a number to be emitted as <double> even when integral (used for *_ts fields). */
export class RpcDouble {
  constructor(public readonly value: number) {}
}

/**
 * Everything that can cross the wire. Integers beyond Number.MAX_SAFE_INTEGER
 * arrive as bigint so that 64-bit ids survive; Uint8Array is <base64>.
 */
export type RpcValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | RpcDouble
  | RpcValue[]
  | { [key: string]: RpcValue };

/** Malformed or hostile XML-RPC input; the hub answers it with HTTP 400. */
export class XmlRpcParseError extends Error {
  override name = 'XmlRpcParseError';
}

/** A <fault> response, as Python's xmlrpc.client.Fault. */
export class XmlRpcFault extends Error {
  override name = 'XmlRpcFault';
  constructor(
    public faultCode: number,
    public faultString: string,
  ) {
    super(`Fault ${faultCode}: ${faultString}`);
  }
}

/** Bounds that keep a hostile request from costing unbounded time or memory. */
export interface ParseLimits {
  /** Deepest nesting of arrays and structs inside one value; default 64. */
  maxDepth?: number;
  /** Largest accepted document in bytes (UTF-8); default 64 MiB. */
  maxBytes?: number;
  /** Most tags (start, end or empty) in one document; default unlimited (maxBytes bounds it). */
  maxNodes?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
