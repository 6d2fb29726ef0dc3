// A tiny static server for the demo page and the browser tests (no dependencies).
//
// Contract:
//  - Serves only these URL prefixes: /web/, /js/, /build/wasm/ and
//    /node_modules/@wllama/wllama/ from the checkout, and /shared/ from the
//    shared data folder (../shared: the models). Anything else is 404; paths
//    are normalised and must stay inside their folder.
//  - isolate (default true) adds COOP same-origin + COEP require-corp (and
//    CORP same-origin), so the page is cross-origin isolated and minnow picks
//    wasm/mt; isolate false serves without them (wasm/st).
//  - Every response says Cache-Control: no-store, so a browser never answers
//    from its HTTP cache: a model request the server does not see was served
//    by minnow's own cache (the Cache API).
//  - files: { '/url/path': '/file/path' } serves single files besides (the
//    benchmark's models).
//  - filesInMemory (default false): the `files` are read into memory at their
//    first request and sent from there with one write (the benchmark: a
//    150 MB file streamed from disk costs the server ~3x the CPU of one sent
//    from memory, and on a 2-core machine that CPU is taken from the browser
//    whichever engine loads; every request still sends every byte).
//  - onRequest({ method, path, status, bytes }) sees every request (tests count
//    model downloads with it).
import http from 'node:http';
import { createReadStream, readFileSync, statSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const defaultShared = path.resolve(repoRoot, '..', 'shared');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.gguf': 'application/octet-stream', '.bin': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ts': 'text/plain; charset=utf-8', '.map': 'application/json',
};

export function startServer({ port = 8080, host = '127.0.0.1', isolate = true, root = repoRoot, shared = defaultShared, files = {}, filesInMemory = false, onRequest } = {}) {
  const inMemory = new Map(); // file path -> Buffer (filesInMemory)
  const mounts = [
    ['/web/', path.join(root, 'web')], ['/js/', path.join(root, 'js')], ['/build/wasm/', path.join(root, 'build', 'wasm')],
    ['/node_modules/@wllama/wllama/', path.join(root, 'node_modules', '@wllama', 'wllama')], ['/shared/', shared],
  ];
  const server = http.createServer((req, res) => {
    let status = 200, bytes = 0;
    const url = new URL(req.url, 'http://x');
    const done = () => onRequest?.({ method: req.method, path: url.pathname, status, bytes });
    const headers = { 'Cache-Control': 'no-store' };
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    const fail = (code, msg) => {
      status = code;
      res.writeHead(code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(msg + '\n');
      done();
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'GET or HEAD only');
    if (url.pathname === '/' || url.pathname === '/web') {
      status = 302;
      res.writeHead(302, { ...headers, Location: '/web/' });
      res.end();
      return done();
    }
    const single = Object.hasOwn(files, url.pathname) ? files[url.pathname] : null;
    const mount = mounts.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!mount && !single) return fail(404, 'not found');
    let file;
    try {
      let st;
      if (single) {
        file = single;
        st = statSync(file);
      } else {
        const rel = decodeURIComponent(url.pathname.slice(mount[0].length));
        const base = realpathSync(mount[1]);
        file = path.resolve(base, rel);
        if (file !== base && !file.startsWith(base + path.sep)) return fail(403, 'outside the served folder');
        st = statSync(file);
        if (st.isDirectory()) { file = path.join(file, 'index.html'); st = statSync(file); }
        const real = realpathSync(file);
        if (!real.startsWith(base + path.sep)) return fail(403, 'outside the served folder');
      }
      bytes = st.size;
      res.writeHead(200, {
        ...headers,
        'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': String(st.size),
      });
      if (req.method === 'HEAD') { res.end(); return done(); }
      if (single && filesInMemory) {
        if (!inMemory.has(file)) inMemory.set(file, readFileSync(file));
        res.end(inMemory.get(file), done);
        return;
      }
      const s = createReadStream(file, { highWaterMark: 1 << 20 }); // 1 MiB reads: fewer, larger writes to the socket
      s.on('error', () => res.destroy());
      s.on('close', done);
      s.pipe(res);
    } catch {
      return fail(404, 'not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, port: a.port, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) });
    });
  });
}
