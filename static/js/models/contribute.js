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
  return sendTransaction({ from, to: call.to, data: call.data, value: hex(value) });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  sendButton.hidden = true;
  try {
    pending = await postForm(panel.dataset.contributeUrl, new FormData(form));
    say(pending.summary);
    sendButton.hidden = false;
  } catch (error) {
    say(error.message);
  }
});

sendButton.addEventListener("click", async () => {
  sendButton.disabled = true;
  try {
    const txHash = await send(pending, pending.value);
    say(`Sent in ${txHash}.`);
    sendButton.hidden = true;
    await showContributions();
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

async function showContributions() {
  const address = await connect();
  const rows = await getJSON(`${panel.dataset.contributionsUrl}?address=${address}`);
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
            say(`Sent in ${await send(row.call)}.`);
            await showContributions();
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
