// minnow: the ES module entry point (Node >= 18.19 and browsers).
// The full model API (load/generate/tokenize) joins as those capabilities land;
// today it exposes the core: build info, self-check, BLAKE2b model ids, kernels.
export { loadCore, Core, MinnowError, simdSupported, threadsUsable } from './core.js';
