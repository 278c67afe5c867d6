#!/usr/bin/env node
// One entry point for the tests and benchmarks: a JSON request on stdin, a JSON answer on stdout.
//   {"command": "identities", "count": 3}
//       -> [{"privateKey": "<base64, Identity.export()>", "commitment": "..."}]
//   {"command": "label_proof", "privateKey", "members": [...], "chainId", "contract", "job", "itemId", "label", "depth"?}
//       -> the arguments of AnonymousLabels.submitLabel (+ "ms": proving time)
//   {"command": "label_proofs", "requests": [<label_proof requests without "command">]}
//       -> a list of those answers (one Node start-up for many proofs)
//   {"command": "bench", "depth": 20, "runs": 5}
//       -> {"depth", "runs", "ms": [...], "median_ms"}
// Artifacts come from node_modules/@zk-kit/semaphore-artifacts (the Semaphore v4 ceremony's); nothing
// is downloaded (@semaphore-protocol/proof would otherwise fetch them).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Identity } from "@semaphore-protocol/identity";
import { Group } from "@semaphore-protocol/group";
import { generateLabelProof, PROOF_DEPTH } from "./label-proof.mjs";

const require = createRequire(import.meta.url);
const artifactsDir = dirname(require.resolve("@zk-kit/semaphore-artifacts/package.json"));

function artifacts(depth) {
  return { wasm: join(artifactsDir, `semaphore-${depth}.wasm`), zkey: join(artifactsDir, `semaphore-${depth}.zkey`) };
}

async function labelProof(request) {
  const started = performance.now();
  const proof = await generateLabelProof({
    identity: Identity.import(request.privateKey),
    members: request.members,
    chainId: request.chainId,
    contract: request.contract,
    job: request.job,
    itemId: request.itemId,
    label: request.label,
    depth: request.depth ?? PROOF_DEPTH,
    artifacts: artifacts(request.depth ?? PROOF_DEPTH),
  });
  return { ...proof, ms: performance.now() - started };
}

async function bench({ depth = PROOF_DEPTH, runs = 5 }) {
  const identities = Array.from({ length: 8 }, () => new Identity());
  const group = new Group(identities.map((i) => i.commitment));
  const ms = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await generateLabelProof({
      identity: identities[run % identities.length],
      members: group,
      chainId: 31337,
      contract: "0x" + "11".repeat(20),
      job: "0x" + "22".repeat(20),
      itemId: run,
      label: 1,
      depth,
      artifacts: artifacts(depth),
    });
    ms.push(performance.now() - started);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return { depth, runs, ms, median_ms: sorted[Math.floor(sorted.length / 2)] };
}

const commands = {
  identities: ({ count = 1 }) =>
    Array.from({ length: count }, () => {
      const identity = new Identity();
      return { privateKey: identity.export(), commitment: identity.commitment.toString() };
    }),
  label_proof: labelProof,
  label_proofs: async ({ requests }) => {
    const answers = [];
    for (const request of requests) answers.push(await labelProof(request));
    return answers;
  },
  bench,
};

const request = JSON.parse(readFileSync(0, "utf8"));
const command = commands[request.command];
if (!command) {
  process.stderr.write(`unknown command ${JSON.stringify(request.command)}; one of ${Object.keys(commands).join(", ")}\n`);
  process.exit(2);
}
const answer = await command(request);
process.stdout.write(JSON.stringify(answer, (_, value) => (typeof value === "bigint" ? value.toString() : value)));
// snarkjs leaves worker threads (ffjavascript's curve) alive; exit once the answer is written.
process.exit(0);
