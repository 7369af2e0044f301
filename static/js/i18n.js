// The app's strings, in the user's language, from /tech/messages.json (network first via
// the service worker, with a copy in IndexedDB for a cold offline start).
import * as store from "./store.js";

let messages = {};

export async function load(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.statusText);
    messages = await response.json();
    await store.put("meta", messages, "messages");
  } catch {
    messages = (await store.get("meta", "messages")) || {};
  }
  return messages;
}

export function all() {
  return messages;
}

export function t(key, params = {}) {
  const text = messages[key] || key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? params[name] : match));
}

/** A translator over a catalog of its own (the speed screen is given one by whoever mounts it):
 *  translator(messages)("speed_run_of", {n: 1, total: 3}). */
export function translator(messages) {
  return (key, params = {}) => (messages[key] ?? key)
    .replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
