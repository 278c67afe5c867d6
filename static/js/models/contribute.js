// A collaborative model's Contribute panel: the server encodes the item and builds the addData call
// with its deposit; the page says in words what the wallet will sign, then the wallet sends it.
// The list shows contributions still holding a deposit, with Refund (own) or Take (others') when due.
import { getJSON, postForm } from "../http.js";
import { WalletError, connect, sendTransaction } from "../wallet.js";

const panel = document.querySelector("[data-contribute]");
const form = panel.querySelector("[data-contribute-form]");
const prepare = panel.querySelector("[data-contribute-prepare]");
const summary = panel.querySelector("[data-contribute-summary]");
const sendButton = panel.querySelector("[data-contribute-send]");
const refresh = panel.querySelector("[data-contributions-refresh]");
const list = panel.querySelector("[data-contributions]");
let pending = null;

const hex = (decimal) => "0x" + BigInt(decimal).toString(16);

function say(text) {
  summary.textContent = text;
}

async function send(call, value = "0") {
  const from = await connect();
  return sendTransaction({ from, to: call.to, data: call.data, value: hex(value), gas: hex(call.gas) });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  sendButton.hidden = true;
  try {
    const request = new FormData(form);
    request.set("address", await connect());
    pending = await postForm(panel.dataset.contributeUrl, request);
    say(pending.summary);
    sendButton.hidden = false;
  } catch (error) {
    say(error.message);
  }
});

sendButton.addEventListener("click", async () => {
  sendButton.disabled = true;
  try {
    const before = list.children.length;
    const txHash = await send(pending, pending.value);
    say(`Sent in ${txHash}; waiting for the chain…`);
    sendButton.hidden = true;
    await showContributions((rows) => rows.length !== before);
    say(`Contributed in ${txHash}.`);
  } catch (error) {
    say(error instanceof WalletError ? error.message : `Not sent: ${error.message}`);
  } finally {
    sendButton.disabled = false;
  }
});

function describe(row) {
  const owner = row.own ? "yours" : `by ${row.contributor}`;
  const wait = row.seconds_left > 0 ? `${row.seconds_left} s until it can be judged` : "can be judged now";
  const verdict = row.model_agrees ? "the model agrees" : "the model disagrees";
  return `#${row.id} “${row.label}” ${owner}: ${row.remaining} wei held, ${wait}, ${verdict}`;
}

const POLL_MS = 1000;
const POLLS = 15;

// The wallet answers with the transaction hash before the chain has it: when `until` is given, ask
// again until the list it describes appears (or give up after POLLS tries and show what there is).
async function showContributions(until = null) {
  const address = await connect();
  let rows = await getJSON(`${panel.dataset.contributionsUrl}?address=${address}`);
  for (let poll = 0; until && !until(rows) && poll < POLLS; poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    rows = await getJSON(`${panel.dataset.contributionsUrl}?address=${address}`);
  }
  list.replaceChildren(
    ...rows.map((row) => {
      const item = document.createElement("li");
      item.dataset.contribution = String(row.id);
      item.textContent = describe(row) + " ";
      if (row.call) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small";
        button.textContent = row.call.action === "refund" ? "Refund my deposit" : "Take a share";
        button.addEventListener("click", async () => {
          button.disabled = true;
          try {
            const txHash = await send(row.call);
            say(`Sent in ${txHash}; waiting for the chain…`);
            await showContributions((rows) => !rows.some((other) => other.id === row.id && other.call));
            say(`Done in ${txHash}.`);
          } catch (error) {
            say(error.message);
            button.disabled = false;
          }
        });
        item.append(button);
      }
      return item;
    }),
  );
}

refresh.addEventListener("click", () => showContributions().catch((error) => say(error.message)));
prepare.disabled = false;
refresh.disabled = false;
