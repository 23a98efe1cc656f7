/**
 * @module
 * The XML-RPC codec shared by the hub and the client, in the dialect of
 * Python's xmlrpc.client with koji's extensions (allow_none, <i8>).
 */

export { RpcDouble, XmlRpcFault, XmlRpcParseError } from './xmlrpc/values.ts';
export type { ParseLimits, RpcValue } from './xmlrpc/values.ts';
export { parseMethodCall, parseMethodResponse } from './xmlrpc/parse.ts';
export { encodeFault, encodeMethodCall, encodeResponse, encodeValue, escapeText, formatDouble } from './xmlrpc/encode.ts';
