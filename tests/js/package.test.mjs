// The package, used exactly as README and docs/js.md say: `npm pack` makes an
// installable ES module with its .d.ts, both wasm builds and their notice
// (its prepack hook refuses an unbuilt checkout); `npm install <checkout>`
// makes `import 'minnow'` work in a project; without installing, the entry
// file '<checkout>/js/index.js' is imported by path (Node's ESM cannot import
// a directory); inside the checkout 'minnow' names the package itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelPath = path.resolve(root, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const goldenId = readFileSync(path.join(root, 'tests/golden/model-ids.txt'), 'utf8').split(/\s+/)[0];
const tmp = mkdtempSync(path.join(tmpdir(), 'minnow-pkg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const npm = (args, cwd, { scripts = false } = {}) => execFileSync('npm', [...args, '--offline', ...(scripts ? [] : ['--ignore-scripts']),
  '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout: 120000 });

// A project that imports 'minnow' and loads the model on both builds.
function project(name, specifier = 'minnow') {
  const dir = path.join(tmp, name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `try-${name}`, version: '1.0.0', type: 'module', private: true }));
  writeFileSync(path.join(dir, 'main.mjs'), `import * as minnow from ${JSON.stringify(specifier)};
    for (const threads of [1, 2]) {
      const m = await minnow.load(${JSON.stringify(modelPath)}, { threads });
      console.log(m.info.build, m.info.id);
      await m.dispose();
    }`);
  return dir;
}

test('npm pack: an installable package with the ES module, .d.ts and both wasm builds', () => {
  const out = path.join(tmp, 'pack');
  execFileSync('mkdir', ['-p', out]);
  npm(['pack', '--pack-destination', out], root, { scripts: true }); // with the prepack check
  const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz, 'a tarball');
  const dir = project('tarball');
  npm(['install', path.join(out, tgz)], dir);
  const pkg = path.join(dir, 'node_modules', 'minnow');
  for (const f of ['js/index.js', 'js/index.d.ts', 'js/worker.js', 'js/worker-boot.js', 'build/wasm/st/minnow.wasm',
    'build/wasm/mt/minnow.wasm', 'build/wasm/mt/minnow.worker.js', 'build/wasm/mt/package.json', 'wasm/NOTICE.md', 'js/options.js']) {
    assert.ok(existsSync(path.join(pkg, f)), f);
  }
  assert.ok(!existsSync(path.join(pkg, 'src')), 'no C sources in the package');
  const run = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(run, `wasm-st ${goldenId}\nwasm-mt ${goldenId}\n`);
});

test("npm install <checkout>, then import * as minnow from 'minnow' (types too)", () => {
  const dir = project('checkout');
  npm(['install', root], dir);
  const run = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(run, `wasm-st ${goldenId}\nwasm-mt ${goldenId}\n`);
  // TypeScript finds the types through package.json "exports" (nodenext resolution)
  writeFileSync(path.join(dir, 'use.mts'), `import * as minnow from 'minnow';
    const m: minnow.Model = await minnow.load('x.gguf', { threads: 1 });
    const v: string = minnow.VERSION + m.info.id;
    void v;`);
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { noEmit: true, strict: true, target: 'es2022',
    module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom', 'dom.iterable'], types: [] }, files: ['use.mts'] }));
  execFileSync('tsc', ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 120000 });
});

test("without installing: import * as minnow from '<checkout>/js/index.js' (a path or a file: URL)", () => {
  for (const [name, spec] of [['by-path', path.join(root, 'js', 'index.js')], ['by-url', pathToFileURL(path.join(root, 'js', 'index.js')).href]]) {
    const dir = project(name, spec);
    const run = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
    assert.equal(run, `wasm-st ${goldenId}\nwasm-mt ${goldenId}\n`, name);
  }
  // what Node does not allow (so the docs do not promise it): a directory
  const dir = project('dir', root);
  assert.throws(() => execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 60000 }),
    (e) => /ERR_UNSUPPORTED_DIR_IMPORT/.test(e.stderr));
});

test("inside the checkout, 'minnow' is the package itself (self-reference)", () => {
  const run = execFileSync(process.execPath, ['--input-type=module', '-e', "import * as m from 'minnow'; console.log(m.VERSION, typeof m.load)"],
    { cwd: path.join(root, 'scripts'), encoding: 'utf8', timeout: 60000 });
  assert.equal(run, `${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version} function\n`);
});

test('npm pack refuses a checkout whose wasm builds are missing (prepack)', () => {
  const fake = path.join(tmp, 'unbuilt');
  mkdirSync(path.join(fake, 'js'), { recursive: true });
  mkdirSync(path.join(fake, 'wasm'), { recursive: true });
  writeFileSync(path.join(fake, 'wasm', 'NOTICE.md'), 'notice');
  writeFileSync(path.join(fake, 'package.json'), readFileSync(path.join(root, 'package.json')));
  const prepack = path.join(root, 'scripts', 'lib', 'prepack.mjs');
  assert.throws(() => execFileSync(process.execPath, [prepack, fake], { encoding: 'utf8', stdio: 'pipe' }),
    (e) => e.status === 1 && /build\/wasm\/st\/minnow\.wasm/.test(e.stderr) && /scripts\/build wasm-st wasm-mt/.test(e.stderr));
  assert.equal(execFileSync(process.execPath, [prepack], { encoding: 'utf8' }), '', 'this checkout is complete');
});
