// Calldata of the two funding calls, encoded with ethers from the contracts' signatures.
import { Interface } from "../../vendor/ethers.min.js";

const token = new Interface(["function approve(address spender, uint256 amount) returns (bool)"]);
const management = new Interface([
  "function createJob(uint32 numItems, uint8 numClasses, uint8 redundancy, uint96 pricePerLabel, uint48 deadline, uint96 budget, bytes32 manifest) returns (uint256 jobId, address instance)",
]);

// The approve may still be pending when createJob is sent, so the wallet cannot estimate createJob's
// gas (it would see no allowance): it gets a fixed limit, ample for a clone and an escrow transfer
// (docs/gas.md measures 170,055). Nonce order runs createJob after the approve.
export const CREATE_JOB_GAS = 400_000n;

export function approveData(call) {
  return token.encodeFunctionData("approve", [call.management, BigInt(call.budget)]);
}

export function createJobData(call) {
  return management.encodeFunctionData("createJob", [
    call.num_items,
    call.num_classes,
    call.redundancy,
    BigInt(call.price_per_label),
    call.deadline,
    BigInt(call.budget),
    call.manifest,
  ]);
}
