// The anonymous claim page: with the job's identity from this browser's storage (anonymous.js keeps
// it), find which of its labels are among the job's correct labels (their nullifiers are public), prove
// them in zero knowledge, CLAIM_SLOTS per proof, bound to the recipient, and have the server relay
// each claim. No call here carries the session.
import { Wallet, getAddress, keccak256, toBeHex } from "../vendor/ethers.min.js";
import { Identity, labelScope } from "../vendor/zk.bundle.js";
import { CLAIM_SLOTS, correctLabels, generateClaimProof } from "../vendor/zk_claim.bundle.js";
import { ApiError } from "./http.js";
import { anonymousFetch, load } from "./anonymous.js";

const CIRCUIT = { wasm: "/static/zk/anon_claim.wasm", zkey: "/static/zk/anon_claim.zkey" };

const root = document.querySelector("[data-anonymous-claim]");
const jobId = root.dataset.job;
const form = root.querySelector("[data-claim-form]");
const $ = (selector) => root.querySelector(selector);

function showError(error) {
  if (!(error instanceof ApiError)) console.error(error);
  $("[data-error]").textContent = error.message;
  $("[data-error]").hidden = false;
}

// What the circuit sees of a scope: Semaphore's hash (keccak256 of the 32-byte value, >> 8).
const scopeHash = (scope) => BigInt(keccak256(toBeHex(scope, 32))) >> 8n;

async function findCorrect() {
  const stored = load(jobId);
  if (!stored.identity) throw new ApiError("This browser holds no anonymous identity for this job.");
  const identity = Identity.import(stored.identity);
  const [group, rewards] = await Promise.all([
    anonymousFetch(`/api/anon/jobs/${jobId}/group`),
    anonymousFetch(`/api/anon/jobs/${jobId}/rewards`),
  ]);
  const scopeHashes = Object.keys(stored.labels).map((itemId) =>
    scopeHash(labelScope({ chainId: group.chain_id, contract: group.contract, job: group.job, itemId: Number(itemId) })),
  );
  const correct = correctLabels({
    secret: identity.secretScalar,
    scopeHashes,
    correctNullifiers: rewards.correct_nullifiers,
  });
  return { identity, rewards, correct, stored };
}

async function claim({ identity, rewards, correct }, recipient) {
  let sent = 0;
  for (let start = 0; start < correct.length; start += CLAIM_SLOTS) {
    const chunk = correct.slice(start, start + CLAIM_SLOTS);
    $("[data-claim-status]").textContent = `Proving ${chunk.length} correct labels…`;
    const proof = await generateClaimProof({
      secret: identity.secretScalar,
      scopeHashes: chunk.map((label) => label.scopeHash),
      correctNullifiers: rewards.correct_nullifiers,
      root: rewards.root,
      jobScope: rewards.job_scope,
      recipient,
      ...CIRCUIT,
    });
    const { tx_hash: txHash } = await anonymousFetch(`/api/anon/jobs/${jobId}/claims`, {
      method: "POST",
      body: { count: proof.count, recipient, claim_nullifiers: proof.claimNullifiers.map(String), proof: proof.proof },
    });
    sent += chunk.length;
    $("[data-claim-status]").textContent = `Claimed ${sent} of ${correct.length} labels · tx ${txHash.slice(0, 10)}…`;
  }
}

$("[data-fresh-address]").addEventListener("click", () => {
  const wallet = Wallet.createRandom();
  form.elements.recipient.value = wallet.address;
  $("[data-fresh-key-value]").textContent = wallet.privateKey;
  $("[data-fresh-key]").hidden = false;
});

async function start() {
  const found = await findCorrect();
  const perLabel = BigInt(found.rewards.reward_per_label);
  const total = perLabel * BigInt(found.correct.length);
  $("[data-claim-found]").textContent =
    `${found.correct.length} of your ${Object.keys(found.stored.labels).length} labels are correct: ` +
    `${total} token units to claim.`;
  $("[data-claim-found]").dataset.correct = found.correct.length;
  form.hidden = found.correct.length === 0;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("[data-error]").hidden = true;
    $("[data-claim-submit]").disabled = true;
    try {
      await claim(found, getAddress(form.elements.recipient.value.trim()));
    } catch (error) {
      showError(error.code === "INVALID_ARGUMENT" ? new ApiError("That is not an address.") : error);
    } finally {
      $("[data-claim-submit]").disabled = false;
    }
  });
}

start().catch(showError);
