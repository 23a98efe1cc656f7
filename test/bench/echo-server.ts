/**
 * The ceiling for the RPC benchmark: a minimal Hono XML-RPC server that
 * parses each call and echoes its params back, with the same codec and
 * runtime as the hub but no dispatcher, auth or store.
 */
import { Hono } from 'hono';
import { encodeResponse, parseMethodCall } from '../../src/core/xmlrpc.ts';

const app = new Hono();
app.post('/kojihub', async (c) => {
  const call = parseMethodCall(new Uint8Array(await c.req.arrayBuffer()));
  return c.body(encodeResponse(call.params), 200, { 'Content-Type': 'text/xml' });
});
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch });
process.stdout.write(`echo ready at http://127.0.0.1:${server.port}/kojihub\n`);
