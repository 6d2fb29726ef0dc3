// Shared by the scripts/bench-decode parts.

/** `--name value` pairs of the command line as an object ({name: value}). */
export function benchArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
}

/** The median of the finite values (the lower one of an even count); NaN when there are none. */
export function median(values) {
  const s = values.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
