// Bounding-box editor: an SVG overlay on an item image, driven by mouse and keyboard, with a list of
// the boxes beside the image for screen readers and keyboard users.
//
// The SVG's viewBox is the image's natural size, so every coordinate the editor holds (and posts) is
// in image pixels however large the page displays the image; the browser's own transform
// (getScreenCTM) converts pointer positions, so zoom, scrolling and CSS scaling need no arithmetic here.
// Sizes meant for the eye (handles, label text, the accidental-drag threshold) are in screen pixels.

const SVG = "http://www.w3.org/2000/svg";
const MIN_DRAG_PX = 4; // a drag shorter than this on either side is a click, not a box
const HANDLE_PX = 9;
const LABEL_PX = 12;
const NUDGE_PX = 1; // image pixels per arrow key press; Shift moves 10
const NUDGE_FAR_PX = 10;
const PRECISION = 100; // coordinates are kept to 1/100 image pixel: below that is float noise
// Which edges a handle moves: [x, y], -1 = left/top, 1 = right/bottom, 0 = neither.
const HANDLES = { nw: [-1, -1], n: [0, -1], ne: [1, -1], e: [1, 0], se: [1, 1], s: [0, 1], sw: [-1, 1], w: [-1, 0] };
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
// Distinct on white and on photographs; a class past the tenth reuses a colour but keeps its name.
const COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#0f9bb4", "#f032e6", "#9a6324", "#800000", "#000075"];

export const colourOf = (classIndex) => COLOURS[classIndex % COLOURS.length];

const round = (value) => Math.round(value * PRECISION) / PRECISION;
const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

export class BoxEditor {
  /**
   * @param {object} options
   * @param {HTMLElement} options.host where the image and its overlay go (emptied)
   * @param {HTMLElement} options.list an element that receives the accessible list of boxes (emptied)
   * @param {{index: number, name: string, shortcut: string}[]} options.classes the job's classes
   * @param {(boxes: object[]) => void} [options.onSubmit] Enter (or submit()) with the boxes in image pixels
   * @param {() => void} [options.onChange] after every change of the boxes or the selection
   */
  constructor({ host, list, classes, onSubmit = () => {}, onChange = () => {} }) {
    this.host = host;
    this.list = list;
    this.classes = classes;
    this.onSubmit = onSubmit;
    this.onChange = onChange;
    this.width = 0;
    this.height = 0;
    this.currentClass = classes[0]?.index ?? 0;
    this.frame = 0; // a redraw requested for the next animation frame
    // The shown width is read here, once per resize, not on every pointer move (a layout each time).
    this.resizeObserver = new ResizeObserver(([entry]) => {
      this.shownWidth = entry.contentRect.width;
      this.render();
    });
    this.reset();
  }

  /** Show an image (its natural size is width × height) with no boxes, and forget the last one.
   * Resolves once the image is decoded: until then it has no displayed size to draw on. */
  load({ src, alt, width, height }) {
    this.reset();
    this.width = width;
    this.height = height;

    const stage = document.createElement("div");
    stage.className = "box-stage";
    this.image = new Image();
    this.image.src = src;
    this.image.alt = alt;
    this.image.draggable = false;
    this.surface = svgElement("svg", {
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: "none",
      tabindex: 0,
      role: "application",
      "aria-roledescription": "box drawing surface",
      "aria-label": `${alt}: drag to draw a box, or press N; keys 1–9 pick the class, arrows move, Alt+arrows size, Delete removes, Enter submits`,
      "data-box-surface": "",
    });
    this.surface.addEventListener("pointerdown", (event) => this.pointerDown(event));
    this.surface.addEventListener("pointermove", (event) => this.pointerMove(event));
    this.surface.addEventListener("pointerup", (event) => this.pointerUp(event));
    this.surface.addEventListener("pointercancel", () => this.cancelDrag());
    stage.append(this.image, this.surface);
    this.host.replaceChildren(stage);
    this.resizeObserver.observe(this.surface);
    this.changed();
    return this.image.decode().catch(() => {}); // a broken image shows its alt text; the page goes on
  }

  /** No image: nothing to draw on, nothing listed. */
  clear() {
    this.reset();
    this.host.replaceChildren();
    this.list.replaceChildren();
    this.surface = null;
  }

  reset() {
    this.resizeObserver.disconnect();
    this.shownWidth = 0;
    this.gold = []; // known boxes shown as feedback, not editable
    this.items = []; // [{class, x, y, w, h}] in image pixels
    this.selected = -1;
    this.history = []; // snapshots before each change, for Ctrl+Z
    this.drag = null;
  }

  /** The boxes in image pixels, rounded to 1/100 pixel, in drawing order. Edges are rounded, not
   * sizes, so a box that ends on the image's border never ends past it once rounded. */
  get boxes() {
    return this.items.map((box) => {
      const [x, y] = [round(box.x), round(box.y)];
      return { class: box.class, x, y, w: round(round(box.x + box.w) - x), h: round(round(box.y + box.h) - y) };
    });
  }

  /** Draw the known answer (qualification feedback) under the labeler's boxes: dashed, not editable. */
  showGold(boxes) {
    this.gold = boxes;
    this.render();
  }

  focus() {
    this.surface?.focus({ preventScroll: true });
  }

  submit() {
    this.onSubmit(this.boxes);
  }

  /** Pick the class of new boxes, and of the selected box if there is one. */
  setClass(classIndex) {
    if (!this.classes.some((c) => c.index === classIndex)) return;
    this.currentClass = classIndex;
    const box = this.items[this.selected];
    if (box && box.class !== classIndex) {
      this.remember();
      box.class = classIndex;
    }
    this.changed();
  }

  select(index) {
    this.selected = index >= 0 && index < this.items.length ? index : -1;
    if (this.selected >= 0) this.currentClass = this.items[this.selected].class;
    this.changed();
  }

  remove(index) {
    if (!this.items[index]) return;
    this.remember();
    this.items.splice(index, 1);
    this.selected = -1;
    this.changed();
  }

  undo() {
    const previous = this.history.pop();
    if (!previous) return;
    this.items = previous.items;
    this.selected = previous.selected;
    this.changed();
  }

  /**
   * The editor's keyboard shortcuts. Returns true when the key was the editor's (and was handled);
   * the page gives it every key first. Keys aimed at form controls and buttons keep their usual meaning.
   */
  handleKey(event) {
    const target = event.target;
    if (target.closest?.("input, textarea, select")) return false;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "z") {
      event.preventDefault();
      this.undo();
      return true;
    }
    const arrow = ARROWS[event.key];
    if (arrow && this.selected >= 0 && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      const step = event.shiftKey ? NUDGE_FAR_PX : NUDGE_PX;
      if (event.altKey) this.grow(arrow[0] * step, arrow[1] * step);
      else this.nudge(arrow[0] * step, arrow[1] * step);
      return true;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    const chosen = this.classes.find((c) => c.shortcut.toLowerCase() === event.key.toLowerCase());
    if (chosen) {
      event.preventDefault();
      this.setClass(chosen.index);
      return true;
    }
    switch (event.key) {
      case "n":
      case "N":
        this.add();
        return true;
      case "Delete":
      case "Backspace":
        event.preventDefault();
        this.remove(this.selected);
        return true;
      case "Escape":
        this.select(-1);
        return true;
      case "Enter":
        if (target.closest?.("button, a, summary")) return false; // Enter on a button presses it
        event.preventDefault();
        this.submit();
        return true;
      case "Tab":
        return this.cycle(event);
      default:
        return false;
    }
  }

  // Tab walks through the boxes while the drawing surface has the focus; stepping past the last (or,
  // with Shift, the first) box deselects and lets the focus leave, so the keyboard is never trapped.
  cycle(event) {
    if (event.target !== this.surface || !this.items.length) return false;
    const next = this.selected < 0 ? (event.shiftKey ? this.items.length - 1 : 0) : this.selected + (event.shiftKey ? -1 : 1);
    if (next < 0 || next >= this.items.length) {
      this.select(-1);
      return false;
    }
    event.preventDefault();
    this.select(next);
    return true;
  }

  // Keyboard drawing: a new box of the current class in the middle of the image, a quarter of its
  // size, selected so that arrows move it and Alt+arrows size it.
  add() {
    this.remember();
    const [w, h] = [this.width / 4, this.height / 4];
    this.items.push({ class: this.currentClass, x: (this.width - w) / 2, y: (this.height - h) / 2, w, h });
    this.selected = this.items.length - 1;
    this.changed();
  }

  // Alt+arrows move the right or bottom edge, within the image and no thinner than a drawn box.
  grow(dw, dh) {
    const box = this.items[this.selected];
    const least = MIN_DRAG_PX * this.scale();
    this.remember();
    box.w = clamp(box.w + dw, Math.min(least, box.w), this.width - box.x);
    box.h = clamp(box.h + dh, Math.min(least, box.h), this.height - box.y);
    this.changed();
  }

  nudge(dx, dy) {
    const box = this.items[this.selected];
    this.remember();
    box.x = clamp(box.x + dx, 0, this.width - box.w);
    box.y = clamp(box.y + dy, 0, this.height - box.h);
    this.changed();
  }

  // --- pointer -------------------------------------------------------------------------------

  toImage(event) {
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(this.surface.getScreenCTM().inverse());
    return { x: point.x, y: point.y };
  }

  // Image pixels per screen pixel: converts sizes meant for the eye into viewBox units.
  scale() {
    this.shownWidth ||= this.surface.getBoundingClientRect().width;
    return this.shownWidth ? this.width / this.shownWidth : 1;
  }

  pointerDown(event) {
    if (event.button !== 0) return;
    event.preventDefault(); // no text selection or image drag while drawing
    this.focus();
    const at = this.toImage(event);
    const handle = event.target.closest("[data-handle]")?.dataset.handle;
    const hit = event.target.closest("[data-box]");
    const before = this.snapshot();
    const screen = { x: event.clientX, y: event.clientY };
    if (handle && this.selected >= 0) {
      this.drag = { mode: "resize", edges: HANDLES[handle], start: at, origin: { ...this.items[this.selected] }, before };
    } else if (hit) {
      this.select(Number(hit.dataset.box));
      this.drag = { mode: "move", start: at, origin: { ...this.items[this.selected] }, before };
    } else {
      this.drag = { mode: "draw", start: this.clampPoint(at), screen, draft: null, before };
    }
    this.surface.setPointerCapture(event.pointerId);
  }

  pointerMove(event) {
    const drag = this.drag;
    if (!drag) return;
    const at = this.toImage(event);
    if (drag.mode === "draw") {
      const big = Math.abs(event.clientX - drag.screen.x) >= MIN_DRAG_PX && Math.abs(event.clientY - drag.screen.y) >= MIN_DRAG_PX;
      drag.draft = big ? { class: this.currentClass, ...this.rectBetween(drag.start, this.clampPoint(at)) } : null;
    } else if (drag.mode === "move") {
      const box = this.items[this.selected];
      box.x = clamp(drag.origin.x + at.x - drag.start.x, 0, this.width - box.w);
      box.y = clamp(drag.origin.y + at.y - drag.start.y, 0, this.height - box.h);
    } else {
      this.resize(drag, at);
    }
    // At most one redraw a frame, however many moves the pointer reports.
    this.frame ||= requestAnimationFrame(() => this.render());
  }

  pointerUp(event) {
    const drag = this.drag;
    if (!drag) return;
    this.pointerMove(event);
    this.drag = null;
    if (drag.mode === "draw") {
      if (drag.draft) {
        this.history.push(drag.before);
        this.items.push(drag.draft);
        this.selected = this.items.length - 1;
      } else {
        this.selected = -1; // a click on empty space
      }
    } else if (JSON.stringify(this.snapshot().items) !== JSON.stringify(drag.before.items)) {
      this.history.push(drag.before);
    }
    this.changed();
  }

  cancelDrag() {
    if (!this.drag) return;
    ({ items: this.items, selected: this.selected } = this.drag.before);
    this.drag = null;
    this.changed();
  }

  // Move the edges the handle holds as far as the pointer moved (wherever on the handle it was
  // grabbed), within the image; crossing the opposite edge flips the box, and a box is never made
  // thinner than the accidental-drag threshold.
  resize(drag, at) {
    const { origin, edges, start } = drag;
    const [dx, dy] = [at.x - start.x, at.y - start.y];
    let [left, right, top, bottom] = [origin.x, origin.x + origin.w, origin.y, origin.y + origin.h];
    if (edges[0] < 0) left = clamp(left + dx, 0, this.width);
    if (edges[0] > 0) right = clamp(right + dx, 0, this.width);
    if (edges[1] < 0) top = clamp(top + dy, 0, this.height);
    if (edges[1] > 0) bottom = clamp(bottom + dy, 0, this.height);
    const rect = this.rectBetween({ x: left, y: top }, { x: right, y: bottom });
    const least = MIN_DRAG_PX * this.scale();
    if (rect.w < least || rect.h < least) return;
    Object.assign(this.items[this.selected], rect);
  }

  clampPoint({ x, y }) {
    return { x: clamp(x, 0, this.width), y: clamp(y, 0, this.height) };
  }

  rectBetween(a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }

  snapshot() {
    return { items: this.items.map((box) => ({ ...box })), selected: this.selected };
  }

  remember() {
    this.history.push(this.snapshot());
  }

  // Pointer moves redraw only the overlay; the list and the page catch up when the gesture ends.
  changed() {
    this.render();
    this.renderList();
    this.onChange();
  }

  // --- drawing ---------------------------------------------------------------------------------

  className(classIndex) {
    return this.classes.find((c) => c.index === classIndex)?.name ?? `class ${classIndex}`;
  }

  render() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (!this.surface) return;
    const scale = this.scale();
    const shapes = this.gold.map((box) => this.boxShape(box, -1, scale, "box-gold"));
    shapes.push(...this.items.map((box, index) => this.boxShape(box, index, scale)));
    if (this.drag?.draft) shapes.push(this.boxShape(this.drag.draft, -1, scale));
    const box = this.items[this.selected];
    if (box) {
      for (const [name, [ex, ey]] of Object.entries(HANDLES)) {
        const size = HANDLE_PX * scale;
        shapes.push(
          svgElement("rect", {
            class: `box-handle box-handle-${name}`,
            "data-handle": name,
            x: box.x + ((ex + 1) / 2) * box.w - size / 2,
            y: box.y + ((ey + 1) / 2) * box.h - size / 2,
            width: size,
            height: size,
          }),
        );
      }
    }
    this.surface.replaceChildren(...shapes);
    this.surface.dataset.count = String(this.items.length);
    this.surface.dataset.selected = String(this.selected);
    this.surface.dataset.currentClass = String(this.currentClass);
  }

  boxShape(box, index, scale, kind = index >= 0 && index === this.selected ? "box-selected" : "") {
    const colour = colourOf(box.class);
    const group = svgElement("g", { class: `box ${kind}`, style: `--box-colour: ${colour}` });
    if (index >= 0) group.dataset.box = String(index);
    if (kind === "box-gold") group.dataset.boxGold = "";
    group.append(svgElement("rect", { class: "box-rect", x: box.x, y: box.y, width: box.w, height: box.h }));
    const size = LABEL_PX * scale;
    // The name sits above the box, or just inside it when the box touches the image's top edge.
    const above = box.y >= size * 1.2;
    const text = svgElement("text", { class: "box-label", x: box.x + scale * 2, y: above ? box.y - scale * 3 : box.y + size, "font-size": size });
    text.textContent = kind === "box-gold" ? `${this.className(box.class)} (gold)` : this.className(box.class);
    group.append(text);
    return group;
  }

  renderList() {
    const shown = this.boxes;
    const rows = this.items.map((box, index) => {
      const rounded = shown[index];
      const row = document.createElement("li");
      row.dataset.boxRow = String(index);
      row.style.setProperty("--box-colour", colourOf(box.class));
      if (index === this.selected) row.setAttribute("aria-current", "true");
      const name = this.className(box.class);
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "box-row-select";
      pick.textContent = `${name}: x ${rounded.x}, y ${rounded.y}, ${rounded.w} × ${rounded.h}`;
      pick.addEventListener("click", () => this.select(index));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button-small button-quiet";
      remove.textContent = "Delete";
      remove.setAttribute("aria-label", `Delete box ${index + 1} (${name})`);
      remove.addEventListener("click", () => {
        this.remove(index);
        this.focus();
      });
      row.append(pick, remove);
      return row;
    });
    this.list.replaceChildren(...rows);
  }
}
