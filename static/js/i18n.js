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
