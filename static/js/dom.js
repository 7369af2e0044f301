// Building DOM nodes without innerHTML: text is always text, so no markup injection,
// and no inline styles or handlers (strict CSP).

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "value") node.value = value;
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function mount(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== false));
}

export function field(label, input, errorId) {
  // A labelled input with a slot for its error message right next to it.
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  const error = h("span", { class: "error", id: errorId || `${id}-error`, role: "alert" });
  input.setAttribute("aria-describedby", error.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, error);
}

export function setError(input, message) {
  const error = document.getElementById(input.getAttribute("aria-describedby"));
  input.classList.toggle("invalid", Boolean(message));
  input.setAttribute("aria-invalid", message ? "true" : "false");
  if (error) error.textContent = message || "";
}

// A double tap (gloves, a slow phone) must not save twice: while one save is under way, the
// form ignores further submits. Wrap every form handler that saves a record in it.
export function oneAtATime(save) {
  let busy = false;
  return async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    try {
      await save(event);
    } finally {
      busy = false;
    }
  };
}

// A delete needs a second tap on the same button within a few seconds: a photo removed from the
// phone before it was sent is gone, and a gloved thumb slips. The first tap only says what the
// second will do; left alone, the button goes back to what it was.
export function secondTapDeletes(label, confirmLabel, remove, ms = 4000) {
  const button = h("button", { class: "danger", type: "button", name: "remove" }, label);
  let timer = null;
  const reset = () => {
    timer = null;
    button.textContent = label;
    button.classList.remove("confirming");
  };
  button.addEventListener("click", async () => {
    if (!timer) {
      button.textContent = confirmLabel;
      button.classList.add("confirming");
      timer = setTimeout(reset, ms);
      return;
    }
    clearTimeout(timer);
    reset();
    await remove();
  });
  return button;
}
