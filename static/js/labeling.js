// The labeling page: qualification round with instant feedback, then labeling from the keyboard.
// Items are prefetched (and held by server-side leases) and labels collected into batches sent in the
// background, so the labeler never waits for the chain; batch status arrives over ws/labeling/.
import { ApiError, getJSON, postJSON } from "./http.js";
import { WalletError, connect, sendTransaction, signTypedData } from "./wallet.js";

const BATCH_SIZE = 10;
const PREFETCH = 5;
const FEEDBACK_MS = 1200;

const root = document.querySelector("[data-labeling]");
const jobId = root.dataset.job;
const classes = JSON.parse(document.getElementById("label-classes").textContent);
const api = `/api/jobs/${jobId}`;
const $ = (selector) => root.querySelector(selector);

const state = {
  phase: "loading", // qualifying | feedback | labeling | done
  current: null, // the item on screen
  shownAt: 0,
  queue: [], // prefetched items, next first
  seen: new Set(), // every item id ever queued, so a refill adds only new ones
  unsent: [], // [{item, label, answer_ms}] in labeling order; the last can be undone
  unsentItems: [], // the items of `unsent`, to show again on undo
  sending: false,
  fetching: null,
};

function show({ phase = "", error = "", feedback = "" } = {}) {
  if (phase) $("[data-phase]").textContent = phase;
  $("[data-error]").textContent = error;
  $("[data-error]").hidden = !error;
  $("[data-feedback]").textContent = feedback;
}

function fail(error) {
  const known = error instanceof ApiError || error instanceof WalletError;
  if (!known) console.error(error);
  show({ error: known ? error.message : `Something went wrong: ${error.message}` });
}

// How item content is fetched: with the session here; an anonymous job's page swaps in a fetch
// without it (anonymous.js).
let fetchContent = (url) => fetch(url, { credentials: "same-origin" });

async function render(item) {
  state.current = item;
  state.shownAt = performance.now();
  const view = $("[data-item-view]");
  view.replaceChildren();
  $("[data-stage]").hidden = !item;
  if (!item) {
    delete view.dataset.item;
    return;
  }
  view.dataset.item = item.id;
  const response = await fetchContent(item.content_url);
  let shown;
  if (item.media_type.startsWith("image/")) {
    shown = new Image();
    shown.src = URL.createObjectURL(await response.blob());
    shown.alt = `Item ${item.index}`;
  } else {
    shown = document.createElement("pre");
    shown.textContent = await response.text();
  }
  // A fast labeler may have moved on while the content loaded: never show a stale item.
  if (state.current === item) view.append(shown);
}

// --- qualification ---------------------------------------------------------------------------

async function showQualification(round) {
  if (round.state === "admitted") return startLabeling();
  if (round.state === "failed") {
    await render(null);
    show({ phase: "You did not reach the qualification bar.", error: "Not passed. You can retry after a short wait." });
    $("[data-retry]").hidden = false;
    return;
  }
  state.phase = "qualifying";
  show({ phase: `Qualification: item ${round.answered + 1} of ${round.total}. Pick the right class.` });
  await render(round.item);
}

async function answerQualification(label) {
  state.phase = "feedback";
  const feedback = await postJSON(`${api}/qualification/answers`, { item: state.current.id, label });
  const right = classes.find((c) => c.index === feedback.correct_label).name;
  show({ feedback: feedback.correct ? `Correct: ${right}.` : `Incorrect: the right class is ${right}.` });
  await new Promise((resolve) => setTimeout(resolve, FEEDBACK_MS));
  if (feedback.passed === true) show({ phase: "Passed! Your wallet is admitted to the job." });
  await showQualification(await getJSON(`${api}/qualification`));
}

$("[data-retry]").addEventListener("click", async () => {
  $("[data-retry]").hidden = true;
  try {
    await showQualification(await postJSON(`${api}/qualification`));
  } catch (error) {
    $("[data-retry]").hidden = false;
    fail(error);
  }
});

// --- labeling --------------------------------------------------------------------------------

async function refill() {
  // The server answers with the leases we hold first, so ask for those plus the new ones.
  const outstanding = state.queue.length + state.unsent.length + (state.current ? 1 : 0);
  const { items } = await postJSON(`${api}/next-items`, { count: Math.min(20, outstanding + PREFETCH) });
  for (const item of items) {
    if (state.seen.has(item.id)) continue;
    state.seen.add(item.id);
    state.queue.push(item);
  }
}

function prefetch() {
  state.fetching ??= refill()
    .catch(fail)
    .finally(() => {
      state.fetching = null;
    });
  return state.fetching;
}

async function advance() {
  if (!state.queue.length) await prefetch();
  const next = state.queue.shift() || null;
  await render(next);
  if (state.current !== next) return; // a later advance (a quicker keystroke) owns the page now
  show({ phase: next ? "Label this item." : "No item needs your label right now. Thank you!" });
  state.phase = next ? "labeling" : "done";
  if (state.queue.length < PREFETCH) prefetch();
}

// The anonymous-mode controller (anonymous.js), in an anonymous job once qualified.
let anonymous = null;

async function startLabeling() {
  if ("anonymous" in root.dataset) {
    const { startAnonymous } = await import("./anonymous.js");
    state.phase = "anonymous";
    anonymous = await startAnonymous({
      root,
      jobId,
      show,
      render,
      current: () => state.current,
      useFetch: (fetcher) => {
        fetchContent = fetcher;
      },
    });
    return;
  }
  $("[data-batching]").hidden = false;
  state.phase = "labeling";
  connectUpdates();
  pollBatches();
  await advance();
}

function label(index) {
  state.unsent.push({ item: state.current.id, label: index, answer_ms: Math.round(performance.now() - state.shownAt) });
  state.seen.add(state.current.id);
  state.unsentItems.push(state.current);
  updateUnsent();
  if (state.unsent.length >= BATCH_SIZE) sendBatch();
  return advance();
}

function undo() {
  if (!state.unsent.length) return;
  state.unsent.pop();
  const item = state.unsentItems.pop();
  if (state.current) state.queue.unshift(state.current);
  updateUnsent();
  render(item);
  state.phase = "labeling";
}

function updateUnsent() {
  $("[data-unsent]").textContent = String(state.unsent.length);
}

function mode() {
  return root.querySelector("input[name=mode]:checked").value;
}

function batchRow(id) {
  let row = $(`[data-batch="${id}"]`);
  if (!row) {
    row = document.createElement("li");
    row.dataset.batch = id;
    $("[data-batches]").prepend(row);
  }
  return row;
}

function showBatch({ id, status, size, error = "", tx_hash = "" }) {
  const row = batchRow(id);
  if (size) row.dataset.size = size;
  row.dataset.status = status;
  const hash = tx_hash ? ` · tx ${tx_hash.slice(0, 10)}…` : "";
  row.textContent = `Batch ${id}: ${row.dataset.size} labels · ${status}${hash}${error ? ` · ${error}` : ""}`;
}

async function sendBatch() {
  if (state.sending || !state.unsent.length) return;
  state.sending = true;
  const labels = state.unsent.splice(0);
  state.unsentItems = [];
  updateUnsent();
  try {
    const address = await connect();
    const prepared = await postJSON(`${api}/batches/prepare`, { labels });
    if (mode() === "relayed") {
      const signature = await signTypedData(address, prepared.typed_data);
      const batch = await postJSON(`${api}/batches`, { mode: "relayed", labels, nonce: prepared.nonce, signature });
      showBatch({ ...batch, size: labels.length });
    } else {
      const batch = await postJSON(`${api}/batches`, { mode: "wallet", labels });
      showBatch({ ...batch, size: labels.length });
      try {
        const txHash = await sendTransaction({ from: address, to: prepared.to, data: prepared.data });
        showBatch(await postJSON(`${api}/batches/${batch.id}/tx`, { tx_hash: txHash }));
      } catch (error) {
        showBatch(await postJSON(`${api}/batches/${batch.id}/tx`, { error: error.message }));
        throw error;
      }
    }
  } catch (error) {
    fail(error);
  } finally {
    state.sending = false;
  }
}

const POLL_MS = 3000;

// The websocket pushes every change; polling while a batch is in flight covers a socket that is down
// (or a worker in another process whose pushes this server's channel layer does not carry).
async function pollBatches() {
  if ($("[data-batches] [data-status=pending], [data-batches] [data-status=submitted]")) {
    const { batches } = await getJSON(`${api}/batches`).catch(() => ({ batches: [] }));
    for (const batch of batches) if ($(`[data-batch="${batch.id}"]`)) showBatch(batch);
  }
  setTimeout(pollBatches, POLL_MS);
}

function connectUpdates() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/labeling/`);
  socket.addEventListener("message", (event) => {
    const update = JSON.parse(event.data);
    showBatch({ id: update.batch, status: update.status, error: update.error, tx_hash: update.tx_hash });
  });
  socket.addEventListener("close", () => setTimeout(connectUpdates, 3000));
}

// --- keyboard and buttons --------------------------------------------------------------------

async function pick(index) {
  try {
    if (state.phase === "qualifying") await answerQualification(index);
    else if (state.phase === "labeling" && state.current) await label(index);
    else if (state.phase === "anonymous" && state.current) await anonymous.label(index);
  } catch (error) {
    fail(error);
  }
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea")) return;
  if (event.key === "Backspace" && !["qualifying", "anonymous"].includes(state.phase)) {
    event.preventDefault();
    undo();
    return;
  }
  const chosen = classes.find((c) => c.shortcut.toLowerCase() === event.key.toLowerCase());
  if (chosen) {
    event.preventDefault();
    pick(chosen.index);
  }
});
for (const button of root.querySelectorAll("[data-class]")) {
  button.addEventListener("click", () => pick(Number(button.dataset.class)));
}
$("[data-undo]").addEventListener("click", undo);
$("[data-send-now]").addEventListener("click", sendBatch);

async function start() {
  const round = await getJSON(`${api}/qualification`);
  // Starting a round (or finishing the admission of a pass) is a write; a failed round waits for Retry.
  const begin = round.state === "not_started" || round.state === "passed";
  await showQualification(begin ? await postJSON(`${api}/qualification`) : round);
}

start().catch(fail);
