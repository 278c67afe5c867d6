// Rewards in the browser: the labeler's panel (balance, pending, claimable; claim with the wallet) and
// the requester's settlement section (settle a stopped job, take the refund of a settled one).
import { Interface, formatUnits } from "../vendor/ethers.min.js";
import { getJSON, postJSON } from "./http.js";
import { listen } from "./live.js";
import { WalletError, connect, sendTransaction } from "./wallet.js";
import { feedback, whileBusy } from "./jobs/feedback.js";

const REFRESH_MS = 5000;
const POLL_MS = 2000;
const TOKEN_DECIMALS = 18;

const jobInstance = new Interface(["function claim(uint256 index, uint256 amount, bytes32[] proof)"]);

function tokens(baseUnits) {
  return formatUnits(BigInt(baseUnits), TOKEN_DECIMALS);
}

// The wallet must hold the signed-in account: a claim or refund pays whoever sends it.
async function signedInWallet() {
  const expected = document.querySelector("[data-account-address]").textContent.trim();
  const from = await connect();
  if (from.toLowerCase() !== expected.toLowerCase()) {
    throw new WalletError(`Your wallet is on ${from}; switch it to ${expected}, the account you signed in with.`);
  }
  return from;
}

// --- the labeler's panel -----------------------------------------------------------------------

function rewardsPanel(panel) {
  const show = feedback(panel);
  const list = panel.querySelector("[data-payouts]");
  // job id -> what its row says while a claim is on its way (the list is redrawn on every refresh)
  const claiming = new Map();

  function payoutRow(payout) {
    const row = document.createElement("li");
    row.dataset.payout = payout.job;
    row.append(`${payout.name}: ${tokens(payout.amount)} CROWD · `);
    if (payout.claimed) {
      claiming.delete(payout.job);
      row.append("Claimed");
    } else if (claiming.has(payout.job)) {
      row.append(claiming.get(payout.job));
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small";
      button.textContent = "Claim";
      button.addEventListener("click", () => whileBusy(button, show, () => claim(payout.job)));
      row.append(button);
    }
    return row;
  }

  // The balances and the payouts load apart: when one call fails the other still draws (the payouts
  // and their Claim buttons above all), and the failure is shown instead of hiding both.
  async function refresh() {
    const [balances, payouts] = await Promise.allSettled([
      getJSON("/api/rewards/balance"),
      getJSON("/api/rewards/payouts"),
    ]);
    if (balances.status === "fulfilled") {
      for (const [name, value] of Object.entries(balances.value)) {
        const cell = panel.querySelector(`[data-reward="${name}"]`);
        cell.dataset.value = value;
        cell.textContent = tokens(value);
      }
    }
    if (payouts.status === "fulfilled") {
      list.replaceChildren(...payouts.value.map(payoutRow));
      panel.querySelector("[data-no-payouts]").hidden = payouts.value.length > 0;
    }
    const failed = [balances, payouts].find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  }

  async function claim(jobId) {
    show({ status: "Fetching your payout proof…" });
    const call = await getJSON(`/api/jobs/${jobId}/claim`);
    if (call.claimed) return refresh();
    // Claims wait for the payout root's dispute window (and close at the claim deadline).
    if (!call.claimable) {
      if (!call.claims_open_at) throw new WalletError("The payout root is not on chain yet.");
      if (Date.now() / 1000 >= call.claim_deadline) throw new WalletError("The claim deadline has passed.");
      throw new WalletError(`Claims for this job open at ${new Date(call.claims_open_at * 1000).toLocaleString()}.`);
    }
    const from = await signedInWallet();
    claiming.set(jobId, "Confirm the claim in your wallet…");
    try {
      const data = jobInstance.encodeFunctionData("claim", [call.index, BigInt(call.amount), call.proof]);
      const txHash = await sendTransaction({ from, to: call.contract, data });
      claiming.set(jobId, "Claim sent; waiting for the chain…");
      show({ status: `Claim sent in ${txHash}.` });
    } catch (error) {
      claiming.delete(jobId);
      throw error;
    } finally {
      await refresh();
    }
  }

  const refreshShown = () => refresh().catch((error) => show({ error: error.message }));
  refreshShown();
  setInterval(refreshShown, REFRESH_MS);
  // Batches confirming change what is pending: ws/labeling/ tells this labeler's pages when they do.
  listen("/ws/labeling/", () => refresh().catch(() => {}));
}

// --- the requester's settlement section --------------------------------------------------------

function settlementSection(section) {
  const page = document.querySelector("[data-job]");
  const api = `/api/jobs/${page.dataset.job}`;
  const show = feedback(page);

  // Settlement and the refund finish in the worker and the indexer: reload once the job moves on.
  function reloadWhenStatusLeaves(status) {
    const timer = setInterval(async () => {
      const job = await getJSON(api).catch(() => null);
      if (job && job.status !== status) {
        clearInterval(timer);
        window.location.reload();
      }
    }, POLL_MS);
  }

  function bind(selector, action) {
    const button = section.querySelector(selector);
    if (!button) return;
    button.addEventListener("click", () => whileBusy(button, show, action));
    button.disabled = false;
  }

  bind("[data-settle]", async () => {
    await postJSON(`${api}/settle`);
    show({ status: "Settlement started: truth and payout root go on chain, then workers can claim…" });
    reloadWhenStatusLeaves("stopped");
  });
  bind("[data-refund]", async () => {
    const call = await getJSON(`${api}/refund`);
    const from = await signedInWallet();
    show({ status: "Confirm the refund in your wallet…" });
    const txHash = await sendTransaction({ from, to: call.to, data: call.data });
    show({ status: `Refund sent in ${txHash}; waiting for the chain…` });
    reloadWhenStatusLeaves("settled");
  });
}

const panel = document.querySelector("[data-rewards]");
if (panel) rewardsPanel(panel);
const section = document.querySelector("[data-settlement]");
if (section) settlementSection(section);
