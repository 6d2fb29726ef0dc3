// Emscripten 3.1.6 fetch()es the .wasm by file path under Node >= 18 and fails:
// hand the module its bytes (programs built for Node: tests and the CLI).
if (typeof process === 'object' && process.versions && process.versions.node && !Module['wasmBinary']) {
  Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
}
