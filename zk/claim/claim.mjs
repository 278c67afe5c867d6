// Anonymous reward claims (contracts/circuits/anon_claim.circom): the correct-labels tree and the
// claim proof. Plain ES module with no Node-only imports, so Node (zk/claim/cli.mjs) and the browser
// bundle (static/src/zk_claim.js) run the same code. Field elements travel as decimal strings.
import { poseidon2, poseidon3 } from 'poseidon-lite';
import { groth16 } from 'snarkjs';

/** Labels one proof covers and depth of the correct-labels tree (AnonymousRewards.SLOTS / TREE_DEPTH). */
export const CLAIM_SLOTS = 8;
export const CLAIM_DEPTH = 14;
/** uint256(keccak256("CrowdAL anonymous reward claim")) >> 8, as in the circuit. */
export const CLAIM_DOMAIN = 130552920724785732067780949953934866165369263679533863486330474831985024123n;

const ZEROS = [0n];
for (let i = 0; i < CLAIM_DEPTH; i++) ZEROS.push(poseidon2([ZEROS[i], ZEROS[i]]));

/** Semaphore v4's nullifier of one label: Poseidon2(scopeHash, secret). */
export function labelNullifier(secret, scopeHash) {
  return poseidon2([BigInt(scopeHash), BigInt(secret)]);
}

/** The nullifier a claim spends for one label; unlinkable to the label without the secret. */
export function claimNullifier(secret, scopeHash) {
  return poseidon3([BigInt(secret), BigInt(scopeHash), CLAIM_DOMAIN]);
}

/**
 * The correct-labels tree: leaves are the nullifiers sorted ascending (so the root does not depend on
 * the order events were read in), padded with zero leaves to depth CLAIM_DEPTH.
 */
export function buildCorrectTree(nullifiers) {
  const leaves = [...new Set(nullifiers.map((n) => BigInt(n)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (leaves.length !== nullifiers.length) throw new Error('duplicate nullifier in the correct labels');
  if (leaves.length > 2 ** CLAIM_DEPTH) throw new Error(`more than 2^${CLAIM_DEPTH} correct labels`);
  if (leaves.some((leaf) => leaf === 0n)) throw new Error('a nullifier cannot be 0');
  const layers = [leaves];
  for (let level = 0; level < CLAIM_DEPTH; level++) {
    const below = layers[level];
    const above = [];
    for (let k = 0; k < below.length; k += 2) {
      above.push(poseidon2([below[k], k + 1 < below.length ? below[k + 1] : ZEROS[level]]));
    }
    layers.push(above);
  }
  const root = layers[CLAIM_DEPTH][0] ?? ZEROS[CLAIM_DEPTH];
  return { root, leaves, layers };
}

/** Sibling path of a leaf (null when it is not in the tree). */
export function merklePath(tree, leaf) {
  let index = tree.leaves.indexOf(BigInt(leaf));
  if (index < 0) return null;
  const pathElements = [];
  const pathIndices = [];
  for (let level = 0; level < CLAIM_DEPTH; level++) {
    const sibling = tree.layers[level][index ^ 1];
    pathElements.push(sibling ?? ZEROS[level]);
    pathIndices.push(index & 1);
    index >>= 1;
  }
  return { pathElements, pathIndices };
}

/**
 * Which of this identity's labels are correct: for each scope hash whose label nullifier is a leaf,
 * its claim nullifier (check `AnonymousRewards.spent` before claiming it again).
 */
export function correctLabels({ secret, scopeHashes, correctNullifiers }) {
  const leaves = new Set(correctNullifiers.map((n) => BigInt(n)));
  return scopeHashes
    .map((scopeHash) => BigInt(scopeHash))
    .filter((scopeHash) => leaves.has(labelNullifier(secret, scopeHash)))
    .map((scopeHash) => ({
      scopeHash: scopeHash.toString(),
      claimNullifier: claimNullifier(secret, scopeHash).toString(),
    }));
}

/** The circuit's witness input for up to CLAIM_SLOTS labels (scope hashes) of one identity. */
export function claimInput({ secret, scopeHashes, tree, jobScope, recipient }) {
  if (scopeHashes.length === 0 || scopeHashes.length > CLAIM_SLOTS) {
    throw new Error(`a claim covers 1 to ${CLAIM_SLOTS} labels, not ${scopeHashes.length}`);
  }
  if (new Set(scopeHashes.map(String)).size !== scopeHashes.length) throw new Error('a label is listed twice');
  const input = {
    root: tree.root, jobScope: BigInt(jobScope), recipient: BigInt(recipient), secret: BigInt(secret),
    used: [], scopeHashes: [], pathElements: [], pathIndices: [],
  };
  for (let slot = 0; slot < CLAIM_SLOTS; slot++) {
    const used = slot < scopeHashes.length;
    const scopeHash = used ? BigInt(scopeHashes[slot]) : 0n;
    const path = used ? merklePath(tree, labelNullifier(secret, scopeHash)) : null;
    if (used && !path) throw new Error(`label with scope ${scopeHash} is not among the correct labels`);
    input.used.push(used ? 1n : 0n);
    input.scopeHashes.push(scopeHash);
    input.pathElements.push(path ? path.pathElements : ZEROS.slice(0, CLAIM_DEPTH));
    input.pathIndices.push(path ? path.pathIndices : Array(CLAIM_DEPTH).fill(0n));
  }
  return input;
}

/** snarkjs' proof as the 8 words AnonymousRewards.claim takes (b's coordinates swapped for the precompile). */
export function packProof(proof) {
  const { pi_a: a, pi_b: b, pi_c: c } = proof;
  return [a[0], a[1], b[0][1], b[0][0], b[1][1], b[1][0], c[0], c[1]].map(String);
}

/**
 * Prove that `scopeHashes` (at most CLAIM_SLOTS) are correct labels of this identity and bind the proof
 * to `recipient`. `correctNullifiers` are all of the job's leaves (public), `root` the one posted on
 * chain (a mismatch means the local view of the job differs from the oracle's: nothing is proven),
 * `jobScope` AnonymousRewards.jobScope(job); `wasm` / `zkey` are paths (Node) or URLs (browser).
 * Returns the arguments of AnonymousRewards.claim besides job and recipient.
 */
export async function generateClaimProof({
  secret, scopeHashes, correctNullifiers, root, jobScope, recipient, wasm, zkey,
}) {
  const tree = buildCorrectTree(correctNullifiers);
  if (root !== undefined && BigInt(root) !== tree.root) {
    throw new Error(`the correct labels give root ${tree.root}, the chain has ${root}`);
  }
  return proveInput(claimInput({ secret, scopeHashes, tree, jobScope, recipient }), wasm, zkey);
}

/** Prove a complete circuit input as it stands (generateClaimProof; tests of the circuit's own constraints). */
export async function proveInput(input, wasm, zkey) {
  const { proof, publicSignals } = await groth16.fullProve(input, wasm, zkey);
  return {
    count: Number(publicSignals[0]),
    claimNullifiers: publicSignals.slice(1, 1 + CLAIM_SLOTS),
    proof: packProof(proof),
    publicSignals,
  };
}
