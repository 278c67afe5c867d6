// Status line and error box of a requester page, and the button wrapper every action uses.
import { ApiError } from "../http.js";
import { WalletError } from "../wallet.js";

export function feedback(root) {
  const statusLine = root.querySelector("[data-status]");
  const errorBox = root.querySelector("[data-error]");
  return function show({ status = "", error = "" }) {
    statusLine.textContent = status;
    errorBox.textContent = error;
    errorBox.hidden = !error;
  };
}

// Run `action` with `button` disabled; a failure is shown, not thrown (unexpected ones also logged).
export async function whileBusy(button, show, action) {
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    if (!(error instanceof WalletError || error instanceof ApiError)) console.error(error);
    show({ error: error.message });
  } finally {
    button.disabled = false;
  }
}
