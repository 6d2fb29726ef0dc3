// Emscripten 3.1.6 fetch()es the .wasm by file path under Node >= 18 and fails:
// hand the module its bytes (programs built for Node: tests and the CLI).
// Pthread workers evaluate this file too, without __filename: they receive the
// compiled module from the main thread and need nothing here.
if (typeof process === 'object' && process.versions && process.versions.node &&
    typeof __filename === 'string' && !Module['wasmBinary'] && !Module['ENVIRONMENT_IS_PTHREAD']) {
  Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
}
