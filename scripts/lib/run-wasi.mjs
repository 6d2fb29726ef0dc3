// Run a WASI command module under Node's node:wasi:
//   node --no-warnings scripts/lib/run-wasi.mjs MODULE.wasm [ARGS...]
// Preopens every top-level directory (this wasi-libc does not resolve absolute
// paths through a "/" preopen) and passes PWD, which the program chdir()s to
// (wasi-libc emulates a cwd), so absolute and relative paths work as natively;
// stdin/stdout/stderr pass through; the module's exit code becomes ours.
import { WASI } from 'node:wasi';
import { readFileSync, readdirSync } from 'node:fs';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-wasi.mjs MODULE.wasm [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...args],
  env: { PWD: process.cwd() },
  preopens: Object.fromEntries([
    ...readdirSync('/', { withFileTypes: true })
      .filter((d) => d.isDirectory() && !['proc', 'sys', 'dev'].includes(d.name))
      .map((d) => [`/${d.name}`, `/${d.name}`]),
  ]),
  returnOnExit: true,
});
// Node 20's node:wasi implements the syscalls as V8 fast API calls, which can
// corrupt the JS heap (nodejs/node#53087): minnow-wasi crashed with SIGSEGV in
// V8 (Builtins_KeyedLoadIC_Megamorphic, main thread) after printing its
// output, about every other run of `tokenize -t qwen3.tokenizer.json`.
// --liftoff-only does not help; --single-threaded-gc does, and so does
// calling each import through a plain JS function (V8 then uses the regular
// call path). The modules make few, large syscalls, so the wrapper costs
// nothing measurable.
const imports = wasi.getImportObject();
for (const ns of Object.values(imports)) {
  for (const [name, fn] of Object.entries(ns)) {
    if (typeof fn === 'function') ns[name] = (...a) => fn(...a);
  }
}
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
