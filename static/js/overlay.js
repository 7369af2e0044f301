// A reviewer's markup as an SVG laid over a photo (fieldapp/markup.py): shapes with corners in
// 0..1 of the photo's width and height, drawn in the photo's proportions (1000 units wide) so
// labels keep their shape. Used by the phone (returned photos, offline) and by the review
// page's drawing tool (markup.js); depends on nothing else, so either can load it alone.
const NS = "http://www.w3.org/2000/svg";
const WIDTH = 1000;

export function node(tag, attrs = {}) {
  const element = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  return element;
}

/** The SVG height for a photo of width x height (4:3 when unknown). */
export function heightFor(width, height) {
  return Math.round(width && height ? (WIDTH * height) / width : (WIDTH * 3) / 4);
}

function arrow(x1, y1, x2, y2) {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const head = (turn) => `${x2 - 48 * Math.cos(angle + turn)},${y2 - 48 * Math.sin(angle + turn)}`;
  return [node("line", { x1, y1, x2, y2 }),
    node("polygon", { class: "arrow-head", points: `${x2},${y2} ${head(0.45)} ${head(-0.45)}` })];
}

/** The SVG element of one shape, in a viewBox of WIDTH x height. */
export function shape(s, height) {
  const [x1, y1, x2, y2] = [s.x1 * WIDTH, s.y1 * height, s.x2 * WIDTH, s.y2 * height];
  if (s.type === "rect") {
    return [node("rect", { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) })];
  }
  if (s.type === "circle") {
    return [node("ellipse", { cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, rx: Math.abs(x2 - x1) / 2, ry: Math.abs(y2 - y1) / 2 })];
  }
  if (s.type === "arrow") return arrow(x1, y1, x2, y2);
  if (s.type === "label") {
    const text = node("text", { x: x1, y: y1 });
    text.textContent = s.text || "";
    return [text];
  }
  return [];
}

/** An <svg class="overlay"> drawing `shapes` over a photo of width x height. */
export function overlay(shapes, width, height) {
  const h = heightFor(width, height);
  const root = node("svg", { class: "overlay", viewBox: `0 0 ${WIDTH} ${h}`, "aria-hidden": "true" });
  for (const s of shapes || []) root.append(...shape(s, h));
  return root;
}
