// The transfer floor for web/bench.js (scripts/bench-decode --browser
// --tokens 0 --floor): a worker fetches the model the way minnow's does (a
// BYOB reader into one recycled 1 MiB buffer) and
//   mode 'read'  drops the bytes: what any engine pays to receive them;
//   mode 'copy'  also copies them into a fresh WebAssembly.Memory grown to
//                the file's size at once: the least an engine pays to have
//                them in wasm memory (first-touch page faults included).
// Posts { ms, bytes } (from the request to the last byte) or { error }.
self.onmessage = async ({ data: { url, mode } }) => {
  try {
    const t0 = performance.now();
    const resp = await fetch(url, { credentials: 'same-origin' });
    const size = Number(resp.headers.get('content-length'));
    let dst = null;
    if (mode === 'copy') {
      const mem = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
      mem.grow(Math.ceil(size / 65536));
      dst = new Uint8Array(mem.buffer);
    }
    const reader = resp.body.getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(1 << 20), n = 0;
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buf));
      if (done) break;
      if (dst) dst.set(value, n);
      n += value.length;
      buf = value.buffer;
    }
    self.postMessage({ ms: performance.now() - t0, bytes: n });
  } catch (e) { self.postMessage({ error: String(e?.message ?? e) }); }
};
