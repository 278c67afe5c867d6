// Browser entry for anonymous reward claims: the same module zk/claim/prove.mjs runs in Node,
// bundled with esbuild (snarkjs resolves to its browser build). The circuit's files are committed
// under static/zk/ and served as static files; pass their URLs as `wasm` and `zkey`.
export {
  CLAIM_SLOTS,
  CLAIM_DEPTH,
  buildCorrectTree,
  claimNullifier,
  correctLabels,
  generateClaimProof,
  labelNullifier,
} from '../../zk/claim/claim.mjs';
