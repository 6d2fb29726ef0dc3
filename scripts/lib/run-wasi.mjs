// Run a WASI command module under Node's node:wasi:
//   node --no-warnings scripts/lib/run-wasi.mjs MODULE.wasm [ARGS...]
// Preopens "/" and "." so absolute and relative paths work as they do natively;
// stdin/stdout/stderr pass through; the module's exit code becomes ours.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-wasi.mjs MODULE.wasm [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: {},
  preopens: { '/': '/', '.': process.cwd() },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
