// The job page's paused labelers: lifting a pause lets the labeler work again.
import { postJSON } from "../http.js";

const jobId = document.querySelector("[data-job]").dataset.job;
for (const button of document.querySelectorAll("[data-lift]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await postJSON(`/api/jobs/${jobId}/pauses/${button.dataset.lift}/lift`);
      button.replaceWith("lifted just now");
    } catch (error) {
      button.disabled = false;
      button.after(` ${error.message}`);
    }
  });
}
