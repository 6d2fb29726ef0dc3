// npm's prepack hook (package.json "scripts.prepack"): refuse to pack a
// checkout whose wasm builds, license or notice are missing. npm silently
// leaves out any entry of "files" that does not exist, so without this an
// unbuilt checkout would pack into a package that cannot load.
//
//   node scripts/lib/prepack.mjs [ROOT]     (ROOT: the package folder, default this checkout)
//
// Exit 0 when every entry of package.json "files" exists (non-empty for files),
// else 1 with what is missing and the command that builds it.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const missing = [];
for (const entry of pkg.files ?? []) {
  let st = null;
  try { st = statSync(path.join(root, entry)); } catch { /* missing */ }
  if (!st || (st.isFile() && st.size === 0)) missing.push(entry);
}
if (missing.length) {
  const builds = missing.some((f) => f.startsWith('build/'));
  console.error(`npm pack: ${missing.length} of the package's files ${missing.length === 1 ? 'is' : 'are'} missing or empty in ${root}:\n` +
    missing.map((f) => `  ${f}`).join('\n') +
    (builds ? '\nbuild them first: ./scripts/build wasm-st wasm-mt (or ./scripts/test)' : ''));
  process.exit(1);
}
