// The requester's "Who may label" control: the job's minimum tier, saved through the gamification API.
import { postJSON } from "../http.js";
import { feedback, whileBusy } from "./feedback.js";

const section = document.querySelector("[data-min-tier]");
if (section) {
  const page = document.querySelector("[data-job]");
  const job = page.dataset.job;
  const show = feedback(page); // the page's status line, as the other requester actions use
  const button = section.querySelector("[data-save-tier]");
  button.addEventListener("click", () =>
    whileBusy(button, show, async () => {
      const { tier } = await postJSON(`/api/jobs/${job}/min-tier`, { tier: section.querySelector("select").value });
      show({ status: `Saved: open to ${tier} tier and above.` });
    }),
  );
  button.disabled = false;
}
