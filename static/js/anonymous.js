// Anonymous labeling (an anonymous job, once the wallet qualified): the page keeps a Semaphore
// identity for this job in localStorage, joins the job's group with its commitment (the one call
// made with the session), then fetches items and sends labels WITHOUT the session (credentials:
// "omit"): each label carries a zero-knowledge proof made here, whose nullifier is scoped to
// (job, item), and the server relays it. Which items this identity labelled is kept here too, never
// sent: asking the server to skip them would tell it which labels are one person's.
import { ApiError, getJSON, postJSON } from "./http.js";
import { Identity, generateLabelProof } from "../vendor/zk.bundle.js";

const ITEMS_PER_FETCH = 50;
const POLL_MS = 2000;

const storageKey = (jobId) => `crowdal.anonymous.job.${jobId}`;

export function load(jobId) {
  return JSON.parse(localStorage.getItem(storageKey(jobId)) || "null") || { identity: null, labels: {} };
}

function save(jobId, stored) {
  localStorage.setItem(storageKey(jobId), JSON.stringify(stored));
}

// Calls without cookies: nothing in them can tie the request to the signed-in wallet.
export async function anonymousFetch(url, { token, method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers["X-Group-Token"] = token;
  if (body) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, credentials: "omit", headers, body: body && JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = data.detail || (data.proof && "The proof is malformed.");
    throw new ApiError(detail || `The server refused the request (HTTP ${response.status}).`);
  }
  return data;
}

export async function startAnonymous({ root, jobId, show, render, current, useFetch }) {
  const $ = (selector) => root.querySelector(selector);
  const stored = load(jobId);
  if (!stored.identity) {
    // One identity per job, so labels in different jobs cannot be linked either.
    stored.identity = new Identity().export();
    save(jobId, stored);
  }
  const identity = Identity.import(stored.identity);
  const commitment = identity.commitment.toString();

  show({ phase: "Joining the job's anonymous group…" });
  let join = await getJSON(`/api/jobs/${jobId}/anonymity/join`);
  if (!join.joined) join = await postJSON(`/api/jobs/${jobId}/anonymity/join`, { commitment });
  if (join.commitment !== commitment) {
    throw new ApiError(
      "Your wallet joined this job's group from another browser; its anonymous identity lives there.",
    );
  }
  const token = join.group_token;
  useFetch((url) => fetch(url, { credentials: "omit", headers: { "X-Group-Token": token } }));

  // The group as the chain holds it (members appear once the indexer has seen them).
  let group = null;
  async function refreshGroup() {
    group = await anonymousFetch(`/api/anon/jobs/${jobId}/group`);
    return group.members.includes(commitment);
  }
  while (!(await refreshGroup())) {
    show({ phase: "Waiting for your membership to be confirmed on chain…" });
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  $("[data-anonymous-panel]").hidden = false;
  const queue = [];

  async function advance() {
    if (!queue.length) {
      const { items } = await anonymousFetch(`/api/anon/jobs/${jobId}/items?count=${ITEMS_PER_FETCH}`, { token });
      queue.push(...items.filter((item) => !(item.index in stored.labels)));
    }
    const next = queue.shift() || null;
    await render(next);
    show({ phase: next ? "Label this item (anonymously)." : "No item needs your label right now. Thank you!" });
  }

  function showLabel(itemIndex) {
    const entry = stored.labels[itemIndex];
    let row = $(`[data-anonymous-label="${itemIndex}"]`);
    if (!row) {
      row = document.createElement("li");
      row.dataset.anonymousLabel = itemIndex;
      $("[data-anonymous-labels]").prepend(row);
    }
    row.dataset.status = entry.status;
    const hash = entry.tx_hash ? ` · tx ${entry.tx_hash.slice(0, 10)}…` : "";
    row.textContent = `Item ${itemIndex}: ${entry.status}${hash}${entry.error ? ` · ${entry.error}` : ""}`;
  }

  async function poll() {
    for (const [itemIndex, entry] of Object.entries(stored.labels)) {
      if (entry.status !== "pending") continue;
      const answer = await anonymousFetch(`/api/anon/jobs/${jobId}/labels/${entry.nullifier}`).catch(() => null);
      if (!answer) continue;
      Object.assign(entry, { status: answer.status, tx_hash: answer.tx_hash, error: answer.error });
      save(jobId, stored);
      showLabel(itemIndex);
    }
    setTimeout(poll, POLL_MS);
  }

  async function label(classIndex) {
    const item = current();
    show({ phase: "Making the zero-knowledge proof…" });
    await refreshGroup(); // the newest root: members may have joined since
    const proof = await generateLabelProof({
      identity,
      members: group.members,
      chainId: group.chain_id,
      contract: group.contract,
      job: group.job,
      itemId: item.index,
      label: classIndex,
    });
    const body = JSON.parse(JSON.stringify(proof, (_, value) => (typeof value === "bigint" ? value.toString() : value)));
    const sent = await anonymousFetch(`/api/anon/jobs/${jobId}/labels`, { method: "POST", body });
    stored.labels[item.index] = { nullifier: sent.nullifier, status: sent.status, tx_hash: sent.tx_hash, error: sent.error };
    save(jobId, stored);
    showLabel(item.index);
    await advance();
  }

  for (const itemIndex of Object.keys(stored.labels)) showLabel(itemIndex);
  poll();
  await advance();
  return { label };
}
