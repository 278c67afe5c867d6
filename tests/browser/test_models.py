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
