// The sign-in page: connect the wallet, get a nonce from the server, sign the EIP-4361 message, and
// let the server verify it.
import { showSignedIn } from "./account.js";
import { ApiError, postJSON } from "./http.js";
import { siweMessage } from "./siwe.js";
import { WalletError, chainId, connect, onWalletChange, personalSign } from "./wallet.js";

const panel = document.querySelector("[data-signin]");
const connectButton = panel.querySelector("[data-connect]");
const statusLine = panel.querySelector("[data-signin-status]");
const errorBox = panel.querySelector("[data-signin-error]");

function show({ status = "", error = "" }) {
  statusLine.textContent = status;
  errorBox.textContent = error;
  errorBox.hidden = !error;
}

async function signIn() {
  show({ status: "Waiting for your wallet…" });
  const address = await connect();
  const challenge = await postJSON("/api/auth/nonce");
  const walletChain = await chainId();
  if (walletChain !== challenge.chainId) {
    throw new WalletError(
      `Wrong network: your wallet is on chain ${walletChain}. Switch it to chain ${challenge.chainId} and sign in again.`,
    );
  }
  const message = siweMessage({ ...challenge, address });
  show({ status: "Sign the message in your wallet…" });
  const signature = await personalSign(address, message);
  show({ status: "Checking the signature…" });
  const session = await postJSON("/api/auth/verify", { message, signature });
  showSignedIn(session.address);
  show({ status: `Signed in as ${session.address}.` });
  const next = nextPath();
  if (next) window.location.assign(next);
}

// Where the page that sent the labeler here wants it back (?next=, as Django's login_required
// sets it): a path on this site only, never another origin.
function nextPath() {
  const next = new URLSearchParams(window.location.search).get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "";
}

connectButton.addEventListener("click", async () => {
  connectButton.disabled = true;
  try {
    await signIn();
  } catch (error) {
    const known = error instanceof WalletError || error instanceof ApiError;
    if (!known) console.error(error);
    show({ error: known ? error.message : `Sign-in failed: ${error.message}` });
  } finally {
    connectButton.disabled = false;
  }
});

// Another network or account makes an earlier error (wrong network, rejected request) stale.
onWalletChange(() => show({}));

// The page renders the button disabled so that a click before this module has loaded is not lost.
connectButton.disabled = false;
