// Anonymous labeling in the browser: Semaphore v4 identities, the job's group and label proofs.
// Bundled by `manage.py build_static` (esbuild) into static/vendor/zk.bundle.js, an ES module that
// also sets window.CrowdZK. The circuit artifacts (depth 20, from Semaphore's multi-party ceremony)
// are copied next to it into static/vendor/semaphore/ and found relative to the bundle's own URL.
import { Identity } from "@semaphore-protocol/identity";
import { Group } from "@semaphore-protocol/group";
import { generateLabelProof as prove, labelMessage, labelScope, PROOF_DEPTH } from "../../zk/label-proof.mjs";

export const artifacts = {
  wasm: new URL(`./semaphore/semaphore-${PROOF_DEPTH}.wasm`, import.meta.url).href,
  zkey: new URL(`./semaphore/semaphore-${PROOF_DEPTH}.zkey`, import.meta.url).href,
};

/** A label proof for AnonymousLabels.submitLabel (decimal strings), made at depth PROOF_DEPTH.
 *  identity: an Identity; members: the job's commitments in join order (from MembersAdded);
 *  chainId, contract (AnonymousLabels), job (JobInstance address), itemId, label. */
export function generateLabelProof(request) {
  return prove({ ...request, artifacts, depth: PROOF_DEPTH });
}

export { Identity, Group, labelMessage, labelScope, PROOF_DEPTH };

window.CrowdZK = { Identity, Group, generateLabelProof, labelMessage, labelScope, PROOF_DEPTH, artifacts };
