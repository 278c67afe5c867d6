// Review queue: each flag's form posts its decision to the API, then the page reloads to show the
// new status, the audit trail and whether settlement still waits.
import { postJSON } from "./http.js";

const error = document.querySelector("[data-review-error]");

for (const form of document.querySelectorAll("[data-review-form]")) {
  const flagId = form.closest("[data-flag]").dataset.flag;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = form.elements.note.value.trim();
    try {
      await postJSON(`/api/flags/${flagId}/review`, { decision: event.submitter.value, note });
      window.location.reload();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  for (const button of form.querySelectorAll("button")) button.disabled = false;
}
