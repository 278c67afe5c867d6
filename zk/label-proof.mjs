// Semaphore v4 label proofs for AnonymousLabels, shared by the Node entry point (zk/semaphore.mjs)
// and the browser bundle (static/src/zk.js), so both build the same scope and message.
import { Group } from "@semaphore-protocol/group";
import { generateProof } from "@semaphore-protocol/proof";
import { AbiCoder, keccak256 } from "ethers";

// One circuit depth for every proof: a depth-20 circuit covers groups up to 2^20 members, and a fixed
// depth means one artifact pair to ship and a proof that does not reveal the group's size.
export const PROOF_DEPTH = 20;

const abi = AbiCoder.defaultAbiCoder();

/** The `scope` passed to generateProof: binds chain, AnonymousLabels contract, job and item
 *  (AnonymousLabels.labelScope). The nullifier is therefore one per (identity, job, item). */
export function labelScope({ chainId, contract, job, itemId }) {
  return BigInt(keccak256(abi.encode(["uint256", "address", "address", "uint32"], [chainId, contract, job, itemId])));
}

/** The `message` passed to generateProof: binds the label to its job and item (AnonymousLabels.labelMessage). */
export function labelMessage({ job, itemId, label }) {
  return BigInt(keccak256(abi.encode(["address", "uint32", "uint8"], [job, itemId, label])));
}

/** A proof that `identity` (a member of `members`, the job's commitments in leaf order) labels
 *  `itemId` of `job` with `label`. `artifacts` = {wasm, zkey}: paths in Node, URLs in a browser.
 *  Returns the arguments of AnonymousLabels.submitLabel as decimal strings. */
export async function generateLabelProof({
  identity, members, chainId, contract, job, itemId, label, artifacts, depth = PROOF_DEPTH,
}) {
  const group = members instanceof Group ? members : new Group(members.map(BigInt));
  if (group.indexOf(identity.commitment) < 0) throw new Error("this identity is not a member of the job's group");
  const proof = await generateProof(
    identity,
    group,
    labelMessage({ job, itemId, label }),
    labelScope({ chainId, contract, job, itemId }),
    depth,
    artifacts,
  );
  return {
    job,
    itemId,
    label,
    merkleTreeDepth: proof.merkleTreeDepth,
    merkleTreeRoot: proof.merkleTreeRoot,
    nullifier: proof.nullifier,
    points: proof.points.map(String),
  };
}
