// The create-job form: token amounts typed in CROWD are sent as base units (decimal strings).
import { parseUnits } from "../../vendor/ethers.min.js";
import { postJSON } from "../http.js";
import { feedback, whileBusy } from "./feedback.js";

const TOKEN_DECIMALS = 18;
const WEEK_MS = 7 * 24 * 3600 * 1000;

const form = document.querySelector("[data-new-job]");
const submit = form.querySelector("[data-submit]");
const show = feedback(form);

function localInputValue(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function amount(field, label) {
  try {
    return parseUnits(form.elements[field].value.trim(), TOKEN_DECIMALS).toString();
  } catch {
    throw new Error(`${label} must be a number of CROWD, e.g. 1.5`);
  }
}

function jobFromForm() {
  const value = (name) => form.elements[name].value.trim();
  return {
    name: value("name"),
    instructions: value("instructions"),
    task_type: value("task_type"),
    classes: value("classes").split("\n").map((line) => line.trim()).filter(Boolean),
    redundancy: Number(value("redundancy")),
    price_per_label: amount("price", "The price per label"),
    budget: amount("budget", "The budget"),
    deadline: new Date(value("deadline")).toISOString(),
    qualification_bar: Number(value("qualification_bar")),
    qualification_size: Number(value("qualification_size")),
    qualification_max_attempts: Number(value("qualification_max_attempts")),
    qualification_wait_seconds: Math.round(Number(value("qualification_wait_minutes")) * 60),
    domain: value("domain"),
    honeypot_min: Number(value("honeypot_min")),
    aggregation_method: value("aggregation_method"),
    stopping_rule: value("stopping_rule"),
    target_accuracy: value("target_accuracy") ? Number(value("target_accuracy")) : null,
    anonymous: form.elements.anonymous.checked,
  };
}

form.elements.deadline.value = localInputValue(new Date(Date.now() + WEEK_MS));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  whileBusy(submit, show, async () => {
    show({ status: "Creating the draft…" });
    const job = await postJSON("/api/jobs/", jobFromForm());
    window.location.assign(`/requester/jobs/${job.id}/`);
  });
});
submit.disabled = false;
