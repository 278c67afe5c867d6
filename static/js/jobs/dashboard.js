// The requester's job dashboard: numbers and Chart.js charts drawn from the data the page was rendered
// with, then replaced by each dashboard the server pushes over ws/jobs/<id>/.
// Chart.js is the UMD build from static/vendor (loaded before this module), hence window.Chart.

import { listen } from "../live.js";

const BRAND = "#4f46e5";
const SOFT = "#a5b4fc";
const GOOD = "#059669";
const LINE = "#e2e8f0";
const BAR = 28; // px: a few workers' bars stay bars, not slabs
const STATS = [
  "items", "gold_items", "items_complete", "labels_pending", "labels_confirmed", "spent_tokens", "budget_tokens",
];

const root = document.querySelector("[data-job]");
const liveState = root.querySelector("[data-live-state]");
const charts = {};

const percent = (share) => (share === null ? "–" : `${Math.round(share * 100)}%`);
const axisPercent = { min: 0, max: 1, ticks: { callback: (value) => `${Math.round(value * 100)}%` } };
const tooltipPercent = { callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.raw)}` } };

const summarise = (rows, describe) => rows.map(describe).join("; ");

function setStat(name, value) {
  for (const element of root.querySelectorAll(`[data-stat="${name}"]`)) element.textContent = value;
}

function showEmpty(name, empty) {
  const note = root.querySelector(`[data-empty="${name}"]`);
  if (note) note.hidden = !empty;
}

// Draws the chart on first use and updates it in place afterwards (no flicker, no leaked canvases).
// The canvas's aria-label carries the numbers, since a canvas is opaque to screen readers.
function draw(name, config, summary) {
  const canvas = root.querySelector(`[data-chart="${name}"]`);
  if (!canvas) return;
  canvas.setAttribute("aria-label", summary);
  const chart = charts[name];
  if (!chart) {
    charts[name] = new window.Chart(canvas, config);
    return;
  }
  chart.data = config.data;
  chart.options = config.options; // its callbacks close over the new rows
  chart.update();
}

function drawCurve(curve) {
  showEmpty("curve", curve.length === 0);
  const points = curve.map((point) => ({ x: point.labels_used, y: point.heldout_accuracy }));
  draw(
    "curve",
    {
      type: "line",
      data: {
        datasets: [
          { label: "Held-out accuracy", data: points, borderColor: BRAND, backgroundColor: BRAND, spanGaps: true },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { type: "linear", min: 0, ticks: { precision: 0 }, title: { display: true, text: "confirmed labels" } },
          y: axisPercent,
        },
        plugins: { legend: { display: false }, tooltip: tooltipPercent },
      },
    },
    curve.length
      ? `Learning curve: ${summarise(
          curve,
          (p) => `version ${p.version}, ${p.labels_used} labels, ${percent(p.heldout_accuracy)}`,
        )}`
      : "Learning curve: no model yet",
  );
}

function drawProgress(data) {
  const complete = data.items ? data.items_complete / data.items : 0;
  draw(
    "progress",
    {
      type: "bar",
      data: {
        labels: ["Items complete", "Budget spent"],
        datasets: [{ label: "Share", data: [complete, data.spent_share], backgroundColor: [GOOD, BRAND] }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: { x: axisPercent },
        plugins: { legend: { display: false }, tooltip: tooltipPercent },
      },
    },
    `Items complete ${percent(complete)}, budget spent ${percent(data.spent_share)}`,
  );
}

function drawAgreement(agreement) {
  const disagreeing = agreement.multi_labeled_items - agreement.agreeing_items;
  showEmpty("agreement", agreement.multi_labeled_items === 0);
  setStat("mean_confidence", percent(agreement.mean_confidence));
  draw(
    "agreement",
    {
      type: "doughnut",
      data: {
        labels: ["All labels agree with the aggregate", "Some labels disagree"],
        datasets: [{ data: [agreement.agreeing_items, disagreeing], backgroundColor: [GOOD, LINE] }],
      },
      options: { maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
    },
    `Label agreement: ${agreement.agreeing_items} of ${agreement.multi_labeled_items} multi-labeled items agree ` +
      `(${percent(agreement.share)}); mean confidence ${percent(agreement.mean_confidence)}`,
  );
}

function drawWorkers(workers, total) {
  showEmpty("workers", workers.length === 0);
  const note = root.querySelector("[data-workers-note]");
  if (note) note.textContent = total > workers.length ? `the ${workers.length} most active of ${total}` : "";
  draw(
    "workers",
    {
      type: "bar",
      data: {
        labels: workers.map((worker) => worker.worker),
        datasets: [
          { label: "Agreement with the aggregate", data: workers.map((w) => w.agreement), backgroundColor: BRAND },
          { label: "Gold accuracy", data: workers.map((w) => w.gold_accuracy), backgroundColor: SOFT },
        ],
      },
      options: {
        maintainAspectRatio: false,
        datasets: { bar: { maxBarThickness: BAR } },
        scales: { y: axisPercent },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => workers[items[0].dataIndex].address,
              label: (item) => `${item.dataset.label}: ${percent(item.raw)}`,
              footer: (items) => `${workers[items[0].dataIndex].labels} labels`,
            },
          },
        },
      },
    },
    `Per-worker accuracy: ${summarise(
      workers,
      (w) => `${w.worker} agreement ${percent(w.agreement)}, gold ${percent(w.gold_accuracy)}, ${w.labels} labels`,
    )}`,
  );
}

function render(data) {
  for (const name of STATS) setStat(name, data[name]);
  const badge = root.querySelector("[data-status-badge]");
  badge.textContent = data.status_display;
  badge.className = `badge badge-${data.status}`;
  root.dataset.jobStatus = data.status;
  drawCurve(data.learning_curve);
  drawProgress(data);
  drawAgreement(data.agreement);
  drawWorkers(data.workers, data.workers_total);
}

render(JSON.parse(document.getElementById("dashboard-data").textContent));
listen(`/ws/jobs/${root.dataset.job}/`, render, {
  onOpen: () => (liveState.textContent = "Live: the numbers update as labels confirm."),
  onClose: () => (liveState.textContent = "Live updates paused; reconnecting…"),
});
