// The labeler's progress panel (points, tier, badges) and toasts when a badge is earned or the tier
// changes: pushed over ws/labeling/ the moment labels confirm, with a poll as the fallback when the
// socket is down (or the push came from a worker whose channel layer this server does not share).
import { getJSON } from "./http.js";
import { listen } from "./live.js";

const POLL_MS = 4000;
const TOAST_MS = 8000;
const panel = document.querySelector("[data-progress]");
const toasts = document.querySelector("[data-toasts]");
let shown = null; // the last progress drawn: {tier, badges: Set of kinds}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function toast(text) {
  const note = document.createElement("div");
  note.className = "alert toast";
  note.dataset.toast = "";
  note.textContent = text;
  toasts.append(note);
  setTimeout(() => note.remove(), TOAST_MS);
}

function draw(progress) {
  const kinds = new Set(progress.badges.map((b) => b.kind));
  if (shown) {
    for (const badge of progress.badges) if (!shown.badges.has(badge.kind)) toast(`Badge earned: ${badge.name}`);
    if (progress.tier !== shown.tier) toast(`Tier changed: ${capitalised(shown.tier)} → ${capitalised(progress.tier)}`);
  }
  shown = { tier: progress.tier, badges: kinds };
  panel.querySelector("[data-tier]").textContent = capitalised(progress.tier);
  panel.querySelector("[data-tier]").dataset.tier = progress.tier;
  panel.querySelector("[data-points]").textContent = progress.points;
  panel.querySelector("[data-labels]").textContent = progress.labels;
  panel.querySelector("[data-streak]").textContent = progress.best_streak;
  panel.querySelector("[data-next-tier]").textContent = progress.next_tier
    ? `${capitalised(progress.next_tier)} tier takes ${progress.next_tier_needs}.`
    : "You are in the top tier.";
  panel.querySelector("[data-badges]").replaceChildren(
    ...progress.badges.map((b) => {
      const item = Object.assign(document.createElement("li"), { textContent: b.name });
      item.dataset.badge = b.kind;
      return item;
    }),
  );
}

const refresh = () => getJSON("/api/gamification/me").then(draw).catch(() => {});

if (panel) {
  refresh();
  setInterval(refresh, POLL_MS);
  listen("/ws/labeling/", (update) => update.gamification && refresh());
}
