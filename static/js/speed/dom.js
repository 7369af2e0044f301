// Tiny DOM and text helpers for the speed screens (no innerHTML: text is always text).

/** Create an element: el("p", {className: "x", hidden: true}, "text", child). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("data-") || key.startsWith("aria-") || key === "for") {
      node.setAttribute(key, value);
    } else {
      node[key] = value;
    }
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A translator over ctx.messages: t("speed_run_of", {n: 1, total: 3}). */
export function translator(messages) {
  return (key, params = {}) => (messages[key] ?? key)
    .replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A number for people: one decimal, or a dash when there is none. */
export function fmt(value, places = 1) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(places);
}

/** Ask for the position without holding anything up; null when refused or slow. */
export function position(timeoutMs = 8000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 600000 },
    );
    return undefined;
  });
}
