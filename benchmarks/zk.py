"""Anonymous labeling: gas of an anonymous label on anvil and Semaphore proof time in Node and in
headless Chromium, both at tree depth 20 (the browser's circuit, zk/label-proof.mjs PROOF_DEPTH).

    .venv/bin/python benchmarks/zk.py                # table (with a few more gas figures)
    .venv/bin/python benchmarks/zk.py --json         # the issue's four figures:
        {"anon_label_gas", "anon_claim_gas", "proof_ms_browser", "proof_ms_node"}
    .venv/bin/python benchmarks/zk.py --runs 7       # proofs per median (default 5)

anon_label_gas is the receipt's gasUsed (21,000 base and calldata included) of AnonymousLabels.submitLabel
for a fresh item (first anonymous vote: a new tally word and a new nullifier) with a depth-20 proof;
anon_label_gas_voted_item is a later vote on the same item; anon_label_batch4_per_label is
submitLabels with four fresh items (one proof each) divided by four. Proof times are medians of wall-clock
`generateProof` (witness + Groth16 prove) after one warm-up proof, artifacts read from local files
(Node) or fetched from a local static server (Chromium) and cached by the browser after the first use.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from eth_account import Account  # noqa: E402
from web3 import Web3  # noqa: E402

from apps.chain.client import send  # noqa: E402
from apps.chain.deploy import deploy_unrecorded  # noqa: E402
from apps.chain.local_chain import dev_private_keys, free_port, start_local_chain  # noqa: E402
from apps.chain.registry import contract_at, job_instance  # noqa: E402
from apps.chain.semaphore import (  # noqa: E402
    PROOF_DEPTH,
    LabelProof,
    label_message,
    label_scope,
    node_prover,
    semaphore_hash,
)
from apps.pages.management.commands.build_static import vendor_dir  # noqa: E402

NUM_ITEMS, NUM_CLASSES, REDUNDANCY = 1024, 4, 3
BUDGET = 1_000 * 10**18
MEMBERS = 8
BATCH = 4
JSON_FIGURES = ("anon_label_gas", "anon_claim_gas", "proof_ms_browser", "proof_ms_node")


def measure_gas() -> dict[str, int]:
    oracle, requester, relayer = (Account.from_key(key) for key in dev_private_keys(3))
    with start_local_chain() as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        suite = deploy_unrecorded(w3=w3, deployer=oracle)
        token = contract_at("CrowdToken", suite["CrowdToken"].address, w3=w3)
        management = contract_at("JobManagement", suite["JobManagement"].address, w3=w3)
        anonymous = contract_at("AnonymousLabels", suite["AnonymousLabels"].address, w3=w3)
        send(token.functions.mint(requester.address, BUDGET), sender=oracle)
        send(token.functions.approve(management.address, BUDGET), sender=requester)
        deadline = w3.eth.get_block("latest")["timestamp"] + 86_400
        send(
            management.functions.createJob(NUM_ITEMS, NUM_CLASSES, REDUNDANCY, 10**18, deadline, BUDGET, b"\x11" * 32),
            sender=requester,
        )
        job = job_instance(management.functions.jobAt(0).call(), w3=w3)

        identities = node_prover({"command": "identities", "count": MEMBERS})
        members = [i["commitment"] for i in identities]
        added = send(anonymous.functions.addMembers(job.address, [int(m) for m in members]), sender=oracle)
        # Two members label item 0 (fresh item, then a voted one); a third labels items 1..BATCH in one batch.
        labels = [(identities[0], 0), (identities[1], 0)] + [(identities[2], item) for item in range(1, BATCH + 1)]
        requests = [
            {
                "privateKey": identity["privateKey"],
                "members": members,
                "chainId": w3.eth.chain_id,
                "contract": anonymous.address,
                "job": job.address,
                "itemId": item,
                "label": 1,
                "depth": PROOF_DEPTH,
            }
            for identity, item in labels
        ]
        proofs = [LabelProof.from_json(p) for p in node_prover({"command": "label_proofs", "requests": requests})]
        fresh = send(anonymous.functions.submitLabel(*proofs[0].args()), sender=relayer)
        voted = send(anonymous.functions.submitLabel(*proofs[1].args()), sender=relayer)
        columns = [list(column) for column in zip(*(p.args()[1:] for p in proofs[2:]))]
        batch = send(anonymous.functions.submitLabels(job.address, *columns), sender=relayer)
        verifier = contract_at("SemaphoreVerifier", anonymous.functions.verifier().call(), w3=w3)
        points = proofs[0].points
        signals = [
            proofs[0].merkle_tree_root,
            proofs[0].nullifier,
            semaphore_hash(label_message(job=job.address, item_id=0, label=1)),
            semaphore_hash(
                label_scope(chain_id=w3.eth.chain_id, contract_address=anonymous.address, job=job.address, item_id=0)
            ),
        ]
        verify = verifier.functions.verifyProof(
            points[0:2], [points[2:4], points[4:6]], points[6:8], signals, proofs[0].merkle_tree_depth
        )
        assert verify.call(), "the benchmark's proof must verify on its own"
        return {
            "anon_label_gas": fresh.gas_used,
            "anon_label_gas_voted_item": voted.gas_used,
            f"anon_label_batch{BATCH}_per_label": batch.gas_used // BATCH,
            f"add_members_{MEMBERS}_per_member": added.gas_used // MEMBERS,
            # The verifier alone, as its own transaction (21,000 base and calldata included). With gas
            # left to it, it returns true; starved, its pairing call fails and it returns false without
            # reverting, so eth_estimateGas settles on a figure at which the proof is "verified" as false.
            "semaphore_verify_proof_gas": send(verify, sender=relayer, gas=1_000_000).gas_used,
            "semaphore_verify_proof_estimate_gas": verify.estimate_gas(),
        }


def proof_ms_node(runs: int) -> float:
    timing = node_prover({"command": "bench", "depth": PROOF_DEPTH, "runs": runs + 1})
    return statistics.median(timing["ms"][1:])  # the first run pays for loading the artifacts


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep stdout for the figures
        pass


@contextmanager
def serve_static_vendor() -> Iterator[str]:
    """static/vendor/ (the bundle and the artifacts, as build_static writes them) on a local port."""
    call_command("build_static", stdout=open(os.devnull, "w"))
    handler = functools.partial(QuietHandler, directory=str(vendor_dir()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Runs in the page: identities and group made in the browser, then `runs + 1` timed label proofs.
BROWSER_BENCH = """
async ({ runs }) => {
  const zk = await import("/zk.bundle.js");
  const identities = Array.from({ length: 8 }, () => new zk.Identity());
  const members = identities.map((identity) => identity.commitment);
  const ms = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = performance.now();
    await zk.generateLabelProof({
      identity: identities[run % identities.length], members, chainId: 31337,
      contract: "0x" + "11".repeat(20), job: "0x" + "22".repeat(20), itemId: run, label: 1,
    });
    ms.push(performance.now() - started);
  }
  return ms;
}
"""


def proof_ms_browser(runs: int) -> float:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with serve_static_vendor() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url + "/")
            ms = page.evaluate(BROWSER_BENCH, {"runs": runs})
        finally:
            browser.close()
    return statistics.median(ms[1:])  # the first run pays for fetching and compiling the artifacts


def run(runs: int) -> dict[str, float | int | None]:
    from benchmarks import zk_claim  # the anonymous performance claim: its own chain, job and proofs

    gas = measure_gas()
    claim = zk_claim.run()
    return {
        "anon_label_gas": gas["anon_label_gas"],
        "anon_claim_gas": claim["anon_claim_gas"],
        "proof_ms_browser": round(proof_ms_browser(runs)),
        "proof_ms_node": round(proof_ms_node(runs)),
        **{name: value for name, value in gas.items() if name != "anon_label_gas"},
        **{name: value for name, value in claim.items() if name != "anon_claim_gas"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--runs", type=int, default=5, help="timed proofs per median (after one warm-up)")
    options = parser.parse_args()
    figures = run(options.runs)
    if options.json:
        print(json.dumps({name: figures[name] for name in JSON_FIGURES}))
        return
    width = max(map(len, figures))
    print(f"{'figure':<{width}}  {'value':>9}")
    for name, value in figures.items():
        shown = "n/a" if value is None else f"{value:,}"
        print(f"{name:<{width}}  {shown:>9}")


if __name__ == "__main__":
    main()
