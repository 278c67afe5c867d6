// The browser wallet: MetaMask or any EIP-1193 provider injected as `window.ethereum`, with errors a
// person can act on.
import { getAddress, hexlify, toUtf8Bytes } from "../vendor/ethers.min.js";

const USER_REJECTED = 4001; // EIP-1193
const REQUEST_ALREADY_PENDING = -32002; // MetaMask: a permission prompt is already open

export class WalletError extends Error {
  name = "WalletError";
}

function provider() {
  if (!window.ethereum) {
    throw new WalletError(
      "No Ethereum wallet found. Install MetaMask (or another browser wallet) and reload this page.",
    );
  }
  return window.ethereum;
}

async function request(method, params = []) {
  const wallet = provider();
  try {
    return await wallet.request({ method, params });
  } catch (error) {
    if (error.code === USER_REJECTED) {
      throw new WalletError("You rejected the request in your wallet.");
    }
    if (error.code === REQUEST_ALREADY_PENDING) {
      throw new WalletError("Your wallet already has a request open: finish it there first.");
    }
    throw new WalletError(`Your wallet reported an error: ${error.message || error}`);
  }
}

export async function connect() {
  const [account] = await request("eth_requestAccounts");
  if (!account) throw new WalletError("Your wallet shared no account. Unlock it and try again.");
  return getAddress(account); // EIP-4361 wants the EIP-55 checksummed form; wallets often answer in lower case
}

export async function chainId() {
  return Number(BigInt(await request("eth_chainId")));
}

export function personalSign(address, text) {
  return request("personal_sign", [hexlify(toUtf8Bytes(text)), address]);
}

export function sendTransaction(tx) {
  return request("eth_sendTransaction", [tx]);
}

export function onWalletChange(handler) {
  if (!window.ethereum?.on) return;
  window.ethereum.on("chainChanged", handler);
  window.ethereum.on("accountsChanged", handler);
}

export function signTypedData(address, typedData) {
  return request("eth_signTypedData_v4", [address, JSON.stringify(typedData)]);
}
