// Browser entry of the minnow worker. A classic worker (not type: 'module'),
// because the Emscripten script must be loaded with importScripts(), which
// module workers lack; the worker's own code is an ES module, imported here.
// Contract: it posts {type: 'ready'} (from js/worker.js) once it listens.
// Requests posted before that (js/index.js does not wait) are kept here and
// handed to worker.js in order. Both modules are fetched at once (worker.js
// imports core.js, which would otherwise be fetched only after it).
/* global importScripts */
var early = [];
self.onmessage = function (e) { early.push(e.data); };
Promise.all([import('./core.js'), import('./worker.js')]).then(function (m) { m[1].start(early); }, function (e) {
  self.postMessage({ type: 'boot-error', message: String(e && e.message || e) });
});
