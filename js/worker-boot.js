// Browser entry of the minnow worker. A classic worker (not type: 'module'),
// because the Emscripten script must be loaded with importScripts(), which
// module workers lack; the worker's own code is an ES module, imported here.
// Contract: it posts {type: 'ready'} (from js/worker.js) once it listens.
/* global importScripts */
import('./worker.js').then((m) => m.start(), (e) => {
  self.postMessage({ type: 'boot-error', message: String(e && e.message || e) });
});
