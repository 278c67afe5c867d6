#!/usr/bin/env node
// Claim proof from the command line (apps/chain/anonymous_rewards.py, benchmarks): reads
// {secret, scopeHashes, correctNullifiers, root?, jobScope, recipient} as decimal strings and prints
// {count, claimNullifiers, proof, publicSignals, ms}. With {input} instead it proves that circuit
// input as it stands (tests of the circuit's own constraints). Uses the committed build in static/zk/.
import { fileURLToPath } from 'node:url';
import { generateClaimProof, proveInput } from './claim.mjs';
import { answer } from './io.mjs';

const artifact = (name) => fileURLToPath(new URL(`../../static/zk/${name}`, import.meta.url));
const wasm = artifact('anon_claim.wasm');
const zkey = artifact('anon_claim.zkey');

await answer(async (request) => {
  const started = performance.now();
  const result = request.input
    ? await proveInput(request.input, wasm, zkey)
    : await generateClaimProof({ ...request, wasm, zkey });
  return { ...result, ms: Math.round(performance.now() - started) };
});
