// The app's strings, in the user's language, from /tech/messages.json. The shell starts on
// the copy it already has (IndexedDB, or the service worker's precache on the first start)
// instead of waiting a round trip for the network (on 2G that is half a second before the
// site list); the network's answer follows and, when it differs (a new version, another
// language), replaces the strings and redraws the screen ("fieldapp:change" "messages").
import * as store from "./store.js";

let messages = {};

export async function load(url) {
  const kept = (await store.get("meta", "messages")) || (await precached(url));
  const fresh = fetchFresh(url);
  if (kept) {
    messages = kept;
    fresh.then((found) => {
      if (!found || JSON.stringify(found) === JSON.stringify(kept)) return;
      messages = found;
      window.dispatchEvent(new CustomEvent("fieldapp:change", { detail: "messages" }));
    });
  } else {
    messages = (await fresh) || {};
  }
  return messages;
}

async function precached(url) {
  try {
    const response = "caches" in window ? await caches.match(url) : null;
    return response ? await response.json() : null;
  } catch {
    return null;
  }
}

/** The strings from the network (kept for a cold offline start), or null offline. */
async function fetchFresh(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.statusText);
    const found = await response.json();
    await store.put("meta", found, "messages");
    return found;
  } catch {
    return null;
  }
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
