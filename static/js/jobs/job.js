// A requester's job page: import data, fund from the wallet (approve + createJob), stop, and wait
// for the chain while the job is funding.
import { getJSON, postForm, postJSON } from "../http.js";
import { WalletError, chainId, connect, sendTransaction } from "../wallet.js";
import { CREATE_JOB_GAS, approveData, createJobData } from "./contracts.js";
import { feedback, whileBusy } from "./feedback.js";

const POLL_MS = 2000;

const root = document.querySelector("[data-job]");
const jobId = root.dataset.job;
const api = `/api/jobs/${jobId}`;
const show = feedback(root);
const signedInAddress = document.querySelector("[data-account-address]").textContent.trim();

async function importFiles(form) {
  const data = new FormData();
  for (const file of form.elements.files.files) data.append("files", file);
  const gold = form.elements.gold_file.files[0];
  if (gold) data.append("gold_file", gold);
  show({ status: "Uploading and checking the files…" });
  const result = await postForm(`${api}/import`, data);
  show({ status: `Imported ${result.imported} items.` });
  window.location.reload();
}

async function fund() {
  show({ status: "Preparing the transactions…" });
  const call = await getJSON(`${api}/funding`);
  const from = await connect();
  if (from.toLowerCase() !== signedInAddress.toLowerCase()) {
    throw new WalletError(`Your wallet is on ${from}; switch it to ${signedInAddress}, the account that owns this job.`);
  }
  if ((await chainId()) !== call.chain_id) {
    throw new WalletError(`Wrong network: switch your wallet to chain ${call.chain_id}.`);
  }
  if (BigInt(call.balance) < BigInt(call.budget)) {
    throw new WalletError("Your wallet holds fewer tokens than the budget. Get tokens first, then fund.");
  }
  if (BigInt(call.allowance) < BigInt(call.budget)) {
    show({ status: "Confirm the allowance in your wallet (1 of 2)…" });
    await sendTransaction({ from, to: call.token, data: approveData(call) });
  }
  show({ status: "Confirm the job creation in your wallet (2 of 2)…" });
  const txHash = await sendTransaction({
    from,
    to: call.management,
    data: createJobData(call),
    gas: `0x${CREATE_JOB_GAS.toString(16)}`,
  });
  await postJSON(`${api}/funding`, { tx_hash: txHash });
  waitForChain();
}

// The job goes live when the indexer sees JobCreated; reload then to show the live page.
function waitForChain() {
  show({ status: "Funding sent; waiting for the chain to confirm it…" });
  const timer = setInterval(async () => {
    const job = await getJSON(api).catch(() => null);
    if (job && job.status !== "funding") {
      clearInterval(timer);
      window.location.reload();
    }
  }, POLL_MS);
}

function bind(selector, action) {
  const button = root.querySelector(selector);
  if (!button) return;
  button.addEventListener("click", () => whileBusy(button, show, action));
  button.disabled = false;
}

const importForm = root.querySelector("[data-import-form]");
if (importForm) {
  const dropzone = importForm.querySelector("[data-dropzone]");
  dropzone.addEventListener("dragover", (event) => event.preventDefault());
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    importForm.elements.files.files = event.dataTransfer.files;
  });
  const submit = importForm.querySelector("[data-import-submit]");
  importForm.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(submit, show, () => importFiles(importForm));
  });
  submit.disabled = false;
}

bind("[data-fund]", fund);
bind("[data-faucet]", async () => {
  const minted = await postJSON("/api/jobs/faucet");
  show({ status: `Test tokens minted to your wallet (${minted.tx_hash}).` });
});
bind("[data-stop]", async () => {
  if (!window.confirm("Stop this job? Labeling ends and settlement starts.")) return;
  await postJSON(`${api}/stop`);
  // The contract takes the payout root only once labelling is closed on chain: before the deadline
  // that is the requester's own stop() transaction.
  const call = await getJSON(`${api}/stop-call`);
  const from = await connect();
  show({ status: "Confirm the stop in your wallet…" });
  await sendTransaction({ from, to: call.to, data: call.data });
  window.location.reload();
});
if (root.dataset.jobStatus === "funding") waitForChain();
