"""The browser bundle (static/vendor/zk.bundle.js) makes a depth-20 label proof in Chromium that the
chain accepts: the identity is created and kept in the page, only its commitment leaves it."""

import pytest

from apps.chain.client import send
from apps.chain.semaphore import PROOF_DEPTH, LabelProof, check_label_proof, submit_label_proof
from tests.chain_fixtures import events

NEW_IDENTITY = """
async () => {
  await import("/static/vendor/zk.bundle.js");  // sets window.CrowdZK
  window.me = new window.CrowdZK.Identity();
  return window.me.commitment.toString();
}
"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROVE = "async (request) => window.CrowdZK.generateLabelProof({ ...request, identity: window.me })"


def test_browser_proof_is_accepted_on_chain(
    browser, live_asgi_server, w3, transactional_db, anonymous_labels, make_job, identities, roles
):
    job = make_job()
    context = browser.new_context(base_url=live_asgi_server.url)
    try:
        page = context.new_page()
        page.goto("/")
        commitment = page.evaluate(NEW_IDENTITY)
        members = [str(i.commitment) for i in identities[:2]] + [commitment]
        add = anonymous_labels.functions.addMembers(job.instance.address, [int(m) for m in members])
        send(add, sender=roles.oracle)
        answer = page.evaluate(
            PROVE,
            {
                "members": members,
                "chainId": w3.eth.chain_id,
                "contract": anonymous_labels.address,
                "job": job.instance.address,
                "itemId": 11,
                "label": 3,
            },
        )
    finally:
        context.close()

    proof = LabelProof.from_json(answer)
    assert proof.merkle_tree_depth == PROOF_DEPTH
    assert check_label_proof(proof=proof, sender=roles.relayer.address, w3=w3) is None
    sent = submit_label_proof(proof=proof, relayer=roles.relayer, w3=w3)
    assert events(anonymous_labels, "AnonymousLabel", sent)[0]["itemId"] == 11
    assert anonymous_labels.functions.anonymousTally(job.instance.address, 11).call() == [0, 0, 0, 1]
