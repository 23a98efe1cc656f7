/**
 * @module
 * The hub's HTTP face, as a Hono app: XML-RPC and uploads at /kojihub, the
 * topdir at /kojifiles, web pages at /koji. Sub-apps join with app.route().
 */
import { Hono } from 'hono';
import type { Hub } from './hub.ts';
import { dispatch } from './rpc/dispatcher.ts';
import { KOJI_VERSION } from '../core/states.ts';
import { filesApp } from './files.ts';

export type UploadHandler = (hub: Hub, req: Request, remoteAddr: string) => Promise<Response>;
export type WebRoutes = (hub: Hub) => Hono;

export interface AppParts {
  /** Raw-body uploads (`Content-Type: application/octet-stream` POSTs to /kojihub). */
  upload?: UploadHandler;
  /** Web pages mounted under /koji. */
  web?: WebRoutes[];
}

export function createApp(hub: Hub, parts: AppParts = {}, remoteAddrOf: (req: Request) => string = () => '127.0.0.1'): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('Koji-Version', KOJI_VERSION);
  });

  app.post('/kojihub', async (c) => {
    const req = c.req.raw;
    const remote = remoteAddrOf(req);
    if (req.headers.get('content-type') === 'application/octet-stream') {
      if (!parts.upload) return c.text('uploads not supported', 400);
      return parts.upload(hub, req, remote);
    }
    const limit = hub.config.MaxRequestLength;
    const declared = Number(req.headers.get('content-length') ?? '0');
    if (declared > limit) return c.text(`request too large (limit ${limit} bytes)`, 413);
    const body = new Uint8Array(await req.arrayBuffer());
    if (body.length === 0) return c.text('empty request body', 400);
    if (body.length > limit) return c.text(`request too large (limit ${limit} bytes)`, 413);
    const reply = await dispatch(hub, { body, headers: req.headers, query: new URL(req.url).searchParams, remoteAddr: remote });
    if (reply.status !== 200) return c.text(reply.body, reply.status as 400);
    return c.body(reply.body, 200, { 'Content-Type': 'text/xml' });
  });
  app.all('/kojihub', (c) => c.text('Method Not Allowed: XML-RPC needs POST', 405));
  app.route('/kojifiles', filesApp(hub));
  for (const routes of parts.web ?? []) app.route('/koji', routes(hub));
  app.get('/', (c) => c.redirect('/koji/'));
  return app;
}
