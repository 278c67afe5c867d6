// The labeling page: qualification round with instant feedback, then labeling from the keyboard.
// Items are prefetched (and held by server-side leases) and labels collected into batches sent in the
// background, so the labeler never waits for the chain; batch status arrives over ws/labeling/.
// Bounding-box jobs draw on the image instead (boxes.js) and send each image's boxes as it is
// submitted; everything else — qualification, prefetch, status rows — is the same page.
import { BoxEditor, colourOf } from "./boxes.js";
import { ApiError, getJSON, postJSON } from "./http.js";
import { listen } from "./live.js";
import { WalletError, connect, sendTransaction, signTypedData } from "./wallet.js";

const BATCH_SIZE = 10;
const PREFETCH = 5;
const FEEDBACK_MS = 1200;

const root = document.querySelector("[data-labeling]");
const jobId = root.dataset.job;
const classes = JSON.parse(document.getElementById("label-classes").textContent);
const api = `/api/jobs/${jobId}`;
const boxesApi = `/api/labeling/jobs/${jobId}/boxes/`;
const $ = (selector) => root.querySelector(selector);
const editor =
  root.dataset.task === "bounding_box"
    ? new BoxEditor({ host: $("[data-item-view]"), list: $("[data-box-list]"), classes, onSubmit: submitBoxes, onChange: showClass })
    : null;

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
    editor?.clear();
    delete view.dataset.item;
    return;
  }
  view.dataset.item = item.id;
  if (editor) {
    const { width, height } = item.width ? item : await naturalSize(item.content_url);
    if (state.current !== item) return;
    await editor.load({ src: item.content_url, alt: `Item ${item.index}`, width, height });
    if (state.current === item) editor.focus();
    return;
  }
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

// The server names a box item's size; an item without one is measured (a pixel is a pixel either way).
function naturalSize(url) {
  const image = new Image();
  image.src = url;
  return image.decode().then(() => ({ width: image.naturalWidth, height: image.naturalHeight }));
}

// --- qualification ---------------------------------------------------------------------------

async function showQualification(round) {
  if (round.state === "admitted") return startLabeling();
  if (round.state === "failed") {
    await render(null);
    const left = round.max_attempts - round.attempts;
    const when = round.retry_at ? ` from ${new Date(round.retry_at).toLocaleTimeString()}` : "";
    show({
      phase: "You did not reach the qualification bar.",
      error: left > 0
        ? `Not passed. ${left} attempt${left === 1 ? "" : "s"} left; you can retry${when}.`
        : "Not passed, and no attempt is left for this job.",
    });
    $("[data-retry]").hidden = left <= 0;
    return;
  }
  state.phase = "qualifying";
  const task = editor ? "Draw a box around every object, then press Enter." : "Pick the right class.";
  show({ phase: `Qualification: item ${round.answered + 1} of ${round.total}. ${task}` });
  await render(round.item);
}

// `answer` is {label} for classes; {boxes} for bounding boxes, scored by IoU against the item's gold
// boxes, which the server reveals (and the page draws) once the item is answered.
async function answerQualification(answer) {
  state.phase = "feedback";
  let feedback;
  try {
    const url = editor ? `${boxesApi}qualification` : `${api}/qualification/answers`;
    feedback = await postJSON(url, { item: state.current.id, ...answer });
    if (editor) editor.showGold(feedback.gold);
  } catch (error) {
    state.phase = "qualifying"; // the answer was refused: the labeler can correct it and answer again
    throw error;
  }
  show({ feedback: feedbackText(feedback) });
  await new Promise((resolve) => setTimeout(resolve, FEEDBACK_MS));
  if (feedback.passed === true) show({ phase: "Passed! Your wallet is admitted to the job." });
  await showQualification(await getJSON(`${api}/qualification`));
}

// Boxes are scored, not right or wrong: the feedback is the answer's IoU score against the item's gold
// boxes (matched one to one, unmatched boxes counting 0), next to the bar the round's mean must reach.
function feedbackText(feedback) {
  if (editor) {
    const bar = Number(root.dataset.bar);
    const verdict = feedback.score >= bar ? "at or above" : "below";
    const score = `Your boxes match the gold boxes (dashed) with a mean IoU of ${feedback.score.toFixed(2)}`;
    return `${score}, ${verdict} the bar of ${bar.toFixed(2)}.`;
  }
  const right = classes.find((c) => c.index === feedback.correct_label).name;
  return feedback.correct ? `Correct: ${right}.` : `Incorrect: the right class is ${right}.`;
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
    // Fetch queued images now (the server lets the browser cache them), so the next one shows at once.
    if (item.media_type.startsWith("image/")) new Image().src = item.content_url;
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
  const task = editor ? "Draw the boxes on this image, then press Enter." : "Label this item.";
  show({ phase: next ? task : "No item needs your label right now. Thank you!" });
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

// One image's boxes are a vote of their own: the server checks them and names the EIP-712 BoxBatch
// (box count + commitment) the wallet signs, then stores them; its worker relays the vote. The page
// moves on only once the server has stored them, so a refused answer (a wallet that declined, a
// pause) stays on screen with its reason, nothing lost, ready to submit again; a vote the chain
// refuses later shows as failed, with the reason, in its row.
async function submitBoxes(boxes) {
  try {
    if (state.phase === "qualifying") return await answerQualification({ boxes });
    if (state.phase !== "labeling" || !state.current) return;
    state.phase = "sending";
    const item = state.current;
    const answer_ms = Math.round(performance.now() - state.shownAt);
    let stored;
    try {
      const prepared = await postJSON(`${boxesApi}prepare`, { item: item.id, boxes });
      const signature = await signTypedData(await connect(), prepared.typed_data);
      stored = await postJSON(boxesApi, { item: item.id, boxes, answer_ms, nonce: prepared.nonce, signature });
    } catch (error) {
      state.phase = "labeling";
      throw error;
    }
    state.seen.add(item.id);
    const what = `item ${item.index}, ${boxes.length} ${boxes.length === 1 ? "box" : "boxes"}`;
    showBatch({ id: stored.batch, status: stored.status, tx_hash: stored.tx_hash, what });
    batchRow(stored.batch).dataset.annotation = stored.id;
    await advance();
  } catch (error) {
    fail(error);
  }
}

// The class buttons wear their class's box colour, and the current class is pressed.
function showClass() {
  for (const button of root.querySelectorAll("[data-class]")) {
    const index = Number(button.dataset.class);
    button.style.setProperty("--box-colour", colourOf(index));
    button.setAttribute("aria-pressed", String(index === editor.currentClass));
  }
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

// `what` says what the batch carries when it is first shown (updates name only the batch).
// `rejected`: how many of its labels on chain the server's rules do not count (sent around the page).
function showBatch({ id, status, size, what = size && `${size} labels`, error = "", tx_hash = "", rejected = 0 }) {
  const row = batchRow(id);
  if (what) row.dataset.what = what;
  row.dataset.status = status;
  const hash = tx_hash ? ` · tx ${tx_hash.slice(0, 10)}…` : "";
  const uncounted = rejected ? ` · ${rejected} not counted` : "";
  row.textContent = `Batch ${id}: ${row.dataset.what} · ${status}${hash}${uncounted}${error ? ` · ${error}` : ""}`;
}

async function sendBatch() {
  if (state.sending || !state.unsent.length) return;
  state.sending = true;
  const labels = state.unsent.splice(0);
  state.unsentItems = [];
  updateUnsent();
  let recorded = false; // the server stored the batch: from then on it is the server's to deliver
  try {
    const address = await connect();
    const prepared = await postJSON(`${api}/batches/prepare`, { labels });
    if (mode() === "relayed") {
      const signature = await signTypedData(address, prepared.typed_data);
      const batch = await postJSON(`${api}/batches`, { mode: "relayed", labels, nonce: prepared.nonce, signature });
      recorded = true;
      showBatch({ ...batch, size: labels.length });
    } else {
      const batch = await postJSON(`${api}/batches`, { mode: "wallet", labels });
      recorded = true;
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
    if (!recorded && error instanceof ApiError && error.status === 503) {
      // The chain is unreachable: the labels go back to the queue and are sent again later.
      state.unsent.unshift(...labels);
      updateUnsent();
      show({ error: `${error.message} Your ${state.unsent.length} labels are kept and will be sent when it is back.` });
      setTimeout(sendBatch, 1000 * (error.retryAfter || 5));
    } else {
      fail(error);
    }
  } finally {
    state.sending = false;
  }
}

const POLL_MS = 3000;

// The websocket pushes every change; polling while a batch is in flight covers a socket that is down
// (or a worker in another process whose pushes this server's channel layer does not carry).
async function pollBatches() {
  if ($("[data-batches] [data-status=pending], [data-batches] [data-status=submitted]")) {
    const updates = await latestStatuses().catch(() => []);
    for (const update of updates) if ($(`[data-batch="${update.id}"]`)) showBatch(update);
  }
  setTimeout(pollBatches, POLL_MS);
}

// Box answers are read as annotations: their status also tells boxes the chain's commitment did not
// match ("rejected") from confirmed ones.
async function latestStatuses() {
  if (editor) {
    const { annotations } = await getJSON(boxesApi);
    return annotations.map(({ batch, status, error, tx_hash }) => ({ id: batch, status, error, tx_hash }));
  }
  const { batches } = await getJSON(`${api}/batches`);
  return batches.map(({ id, status, error, tx_hash, rejected }) => ({ id, status, error, tx_hash, rejected: rejected.length }));
}

function connectUpdates() {
  listen("/ws/labeling/", (update) => {
    if ("paused" in update) {
      if (String(update.job) !== jobId) return;  // about another job of this labeler
      // A pause stops the work at once; a lifted one needs a reload to start serving again.
      show(update.paused ? { error: update.detail } : { phase: "Your pause was lifted: reload the page to label again." });
      return;
    }
    if ("annotation" in update) {
      // The indexer checked an answer's boxes against the chain's commitment; a mismatch never counts.
      const row = $(`[data-annotation="${update.annotation}"]`);
      if (row && !update.verified) showBatch({ id: row.dataset.batch, status: "rejected" });
      return;
    }
    if (update.batch === undefined) return; // other news for this labeler (a claim, a badge)
    showBatch({ id: update.batch, status: update.status, error: update.error, tx_hash: update.tx_hash, rejected: update.rejected });
  });
}

// --- keyboard and buttons --------------------------------------------------------------------

async function pick(index) {
  if (editor) {
    editor.setClass(index);
    editor.focus();
    return;
  }
  try {
    if (state.phase === "qualifying") await answerQualification({ label: index });
    else if (state.phase === "labeling" && state.current) await label(index);
    else if (state.phase === "anonymous" && state.current) await anonymous.label(index);
  } catch (error) {
    fail(error);
  }
}

document.addEventListener("keydown", (event) => {
  if (editor) {
    if (state.current) editor.handleKey(event);
    return;
  }
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
if (editor) {
  $("[data-submit-boxes]").addEventListener("click", () => editor.submit());
} else {
  $("[data-undo]").addEventListener("click", undo);
  $("[data-send-now]").addEventListener("click", sendBatch);
}

async function start() {
  const round = await getJSON(`${api}/qualification`);
  // Starting a round (or finishing the admission of a pass) is a write; a failed round waits for Retry.
  const begin = round.state === "not_started" || round.state === "passed";
  await showQualification(begin ? await postJSON(`${api}/qualification`) : round);
}

start().catch(fail);
