"""An on-chain model's page in a real browser: the demo digits job's learner model published on
anvil, its card, and Predict on an uploaded digit (the server runs the contract's predict view)."""

import pytest
from playwright.sync_api import expect

from apps.models.services import publish_job_model
from apps.rewards.models import Settlement
from apps.runtime.demo import CLASS_NAMES, digit_png, digit_truth
from tests.browser.conftest import off_the_browser_loop
from tests.factories import make_user
from tests.models.jobs import REPORT_CID, image_job, learn

pytestmark = pytest.mark.browser


def test_predict_on_a_published_model_page(wallet_page, deployed, roles, tmp_path):
    published = {}

    def publish() -> None:  # saving items pushes dashboard updates, which the browser's loop refuses
        requester = make_user(roles.requester.address)
        job = image_job(requester)
        Settlement.objects.create(job=job, step=Settlement.Step.DONE, report_cid=REPORT_CID)
        learn(job)
        published["model"] = publish_job_model(job_id=job.pk, requester=requester)

    off_the_browser_loop(publish)
    model = published["model"]

    page = wallet_page(roles.stranger).page  # no sign-in: predicting needs no account and no gas
    page.goto("/models")
    page.get_by_role("link", name=model.name).click()
    expect(page.locator("[data-model-card]")).to_contain_text(REPORT_CID)
    expect(page.locator("[data-model-card]")).to_contain_text(", ".join(CLASS_NAMES))

    row = 7
    image = tmp_path / "digit.png"
    image.write_bytes(digit_png(row))
    page.locator("[data-predict-input]").set_input_files(str(image))
    page.get_by_role("button", name="Predict").click()
    prediction = page.locator("[data-prediction]")
    expect(prediction).to_have_attribute("data-class-index", str(digit_truth(digit_png(row))))
    expect(prediction).to_contain_text(f"The model says: {CLASS_NAMES[digit_truth(digit_png(row))]}")

    image.write_bytes(b"not an image")
    page.locator("[data-predict-input]").set_input_files(str(image))
    page.get_by_role("button", name="Predict").click()
    expect(prediction).to_contain_text("not a decodable image")
    expect(prediction).not_to_have_attribute("data-class-index", "7")


def test_contribute_with_a_deposit_then_refund(wallet_page, deployed, roles, w3):
    from apps.chain import onchain_models as om
    from apps.models.encoders import encode_text
    from apps.models.services import create_collaborative_model

    wait = 600
    created = {}

    def create() -> None:
        weights = [0] * 65
        for f in encode_text("good great", num_features=64):
            weights[f] = 3 * om.SCALE
        created["model"] = create_collaborative_model(
            publisher=make_user(roles.oracle.address),
            name="Sentiment",
            encoder="text",
            class_names=["negative", "positive"],
            num_features=64,
            weights=weights,
            pricing=om.crowd_pricing(10**15),
            refund_wait=wait,
            creator_wait=2 * wait,
            anyone_wait=3 * wait,
        )

    off_the_browser_loop(create)
    model = created["model"]
    trainer = om.trainer_handle(address=model.trainer_address, w3=w3)
    alice = roles.workers[0]
    page = wallet_page(alice).page
    page.goto(f"/models/{model.pk}")
    page.locator("[data-contribute-text]").fill("good great")
    page.locator("[data-contribute-label]").select_option(label="positive")
    page.get_by_role("button", name="Review the deposit").click()
    summary = page.locator("[data-contribute-summary]")
    expect(summary).to_contain_text("labelled “positive”")
    expect(summary).to_contain_text(f"After {wait} s you get it all back")
    page.get_by_role("button", name="Deposit and contribute").click()
    row = page.locator('[data-contribution="0"]')
    expect(row).to_contain_text("yours")
    expect(row).to_contain_text("until it can be judged")
    deposit = trainer.functions.remainingDeposit(0).call()
    assert deposit >= 10**15

    w3.provider.make_request("evm_increaseTime", [wait])
    w3.provider.make_request("evm_mine", [])
    page.get_by_role("button", name="Refresh").click()
    before = w3.eth.get_balance(alice.address)
    row.get_by_role("button", name="Refund my deposit").click()
    expect(page.locator('[data-contribution="0"]')).to_have_count(0)
    assert trainer.functions.remainingDeposit(0).call() == 0
    assert trainer.functions.goodData(alice.address).call() == 1
    assert w3.eth.get_balance(alice.address) > before  # the deposit came back (less the refund's gas)
