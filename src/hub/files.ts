/**
 * @module
 * Plain HTTP access to the topdir (Koji's topurl, /kojifiles): GET and HEAD
 * with Content-Length, Last-Modified and byte ranges, which the koji CLI
 * uses to resume downloads. Paths cannot leave the topdir.
 */
import { Hono } from 'hono';
import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Hub } from './hub.ts';

export function filesApp(hub: Hub): Hono {
  const app = new Hono();
  app.on(['GET', 'HEAD'], '/*', (c) => {
    const rel = decodeURIComponent(new URL(c.req.url).pathname.replace(/^\/kojifiles\/?/, ''));
    const root = resolve(hub.topdir);
    const full = resolve(root, rel);
    if (full !== root && !full.startsWith(root + sep)) return c.text('Forbidden', 403);
    let st;
    try {
      st = statSync(full);
    } catch {
      return c.text('Not Found', 404);
    }
    if (st.isDirectory()) return c.text('Forbidden: directory listing is off', 403);
    if (!st.isFile()) return c.text('Not Found', 404);
    // a symlink inside the topdir must not hand out a file from elsewhere
    if (!hub.serves(realpathSync(full))) return c.text('Forbidden', 403);
    const headers: Record<string, string> = {
      'Last-Modified': st.mtime.toUTCString(),
      'Accept-Ranges': 'bytes',
      'Content-Type': contentType(full),
    };
    const range = c.req.header('range');
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (!m) return c.text('Bad Range', 416);
      if (m[1] === '' && m[2] !== '') {
        start = Math.max(0, st.size - Number(m[2]));
      } else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(end, Number(m[2]));
      }
      if (start >= st.size || start > end) {
        return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${st.size}` } });
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    }
    headers['Content-Length'] = String(end - start + 1);
    if (c.req.method === 'HEAD') return new Response(null, { status, headers });
    const file = Bun.file(full);
    return new Response(status === 206 ? file.slice(start, end + 1) : file, { status, headers });
  });
  return app;
}

function contentType(path: string): string {
  if (path.endsWith('.log') || path.endsWith('.txt')) return 'text/plain; charset=utf-8';
  if (path.endsWith('.xml')) return 'text/xml';
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.rpm')) return 'application/x-rpm';
  if (path.endsWith('.tar.gz') || path.endsWith('.tgz')) return 'application/gzip';
  return 'application/octet-stream';
}
