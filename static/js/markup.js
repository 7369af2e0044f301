// The reviewer's drawing tool on a returned photo (review page, docs/review.md "Markup"):
// arrow, circle, rectangle or a short label, drawn with a mouse or a finger through pointer
// events on an SVG over the display image. Shapes are kept in 0..1 of the image's size and
// written as JSON into the item's hidden `markup` field, which the server checks
// (fieldapp/markup.py); the photo itself is never changed. Without JavaScript the form works
// as before, with no drawing.
import { heightFor, node, shape } from "./overlay.js";

const TOOLS = ["arrow", "circle", "rect", "label"];
const MAX_SHAPES = 20;
const MAX_TEXT = 60;

function button(text, tool, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (tool) b.dataset.tool = tool;
  b.addEventListener("click", onclick);
  return b;
}

function setUp(box) {
  const img = box.querySelector("img");
  const field = box.querySelector("input[type=hidden]");
  const names = JSON.parse(field.form.dataset.markupNames); // the return form, by form="return-form"
  let shapes = field.value ? JSON.parse(field.value) : [];
  let tool = "arrow";
  let drawing = null;
  const height = () => heightFor(img.naturalWidth, img.naturalHeight);
  const svg = node("svg", { viewBox: `0 0 1000 ${height()}`, role: "img", "aria-label": names.draw });
  const label = document.createElement("input");
  Object.assign(label, { type: "text", maxLength: MAX_TEXT, placeholder: names.label_text, className: "markup-text" });
  const redraw = () => {
    svg.setAttribute("viewBox", `0 0 1000 ${height()}`);
    svg.replaceChildren(...[...shapes, ...(drawing ? [drawing] : [])].flatMap((s) => shape(s, height())));
    field.value = shapes.length ? JSON.stringify(shapes) : "";
  };
  const choose = (chosen) => {
    tool = chosen;
    for (const b of tools.querySelectorAll("[data-tool]")) b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
  };
  const tools = document.createElement("div");
  tools.className = "markup-tools";
  tools.append(...TOOLS.map((t) => button(names[t], t, () => choose(t))), label,
    button(names.undo, null, () => { shapes.pop(); redraw(); }),
    button(names.clear, null, () => { shapes = []; redraw(); }));
  const point = (event) => {
    const r = svg.getBoundingClientRect();
    const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
    return [clamp((event.clientX - r.left) / r.width), clamp((event.clientY - r.top) / r.height)];
  };
  svg.addEventListener("pointerdown", (event) => {
    if (shapes.length >= MAX_SHAPES) return;
    event.preventDefault();
    const [x, y] = point(event);
    const item = box.closest(".return-item");
    const tick = item && item.querySelector("input[type=checkbox]");
    if (tick) tick.checked = true; // a drawing says by itself that the photo goes back
    if (tool === "label") {
      const text = label.value.trim().slice(0, MAX_TEXT);
      if (text) shapes.push({ type: "label", x1: x, y1: y, x2: x, y2: y, text });
      redraw();
      return;
    }
    try {
      svg.setPointerCapture(event.pointerId); // keep the drag when the finger leaves the photo
    } catch (error) {
      // a pointer the browser no longer tracks: the shape is still drawn on move events
    }
    drawing = { type: tool, x1: x, y1: y, x2: x, y2: y };
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    [drawing.x2, drawing.y2] = point(event);
    redraw();
  });
  const finish = () => {
    if (!drawing) return;
    const moved = Math.abs(drawing.x2 - drawing.x1) + Math.abs(drawing.y2 - drawing.y1) > 0.01;
    if (moved) shapes.push(drawing);
    drawing = null;
    redraw();
  };
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", finish);
  box.append(svg);
  box.before(tools);
  box.classList.add("ready");
  choose(tool);
  redraw();
}

for (const box of document.querySelectorAll(".markup[data-markup-for]")) {
  const img = box.querySelector("img");
  if (img.complete && img.naturalWidth) setUp(box);
  else img.addEventListener("load", () => setUp(box), { once: true });
}
