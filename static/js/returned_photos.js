// Returned photos kept on the phone: the technician must see the reviewer's drawing on the
// photo at the site, where there is no network. After each sync of the app (its pulls done,
// the site list shown) the display version of every returned photo is fetched once and kept
// in IndexedDB (meta "returned-photo:<id>"); the copies of items no longer returned are dropped.
import * as store from "./store.js";

const PREFIX = "returned-photo:";

export const key = (photoId) => PREFIX + photoId;

let keeping = null;

/** Keep the returned photos after a pull, without holding the pull: the site list is usable at
 * once and the photos follow (on 2G a display version is ~30 KB, seconds of waiting). One run
 * at a time; a pull during a run is covered by the next pull's run. */
export function keepSoon() {
  keeping ||= keep().catch((error) => console.warn("returned photos", error)).finally(() => { keeping = null; });
  return keeping;
}

async function keep() {
  const wanted = new Set();
  for (const site of await store.all("sites")) {
    for (const item of site.returned_items || []) if (item.item_kind === "photo") wanted.add(item.item_ref);
  }
  for (const photoId of wanted) {
    if (await store.get("meta", key(photoId))) continue;
    try {
      const response = await fetch(`/photos/${photoId}/display`, { credentials: "same-origin" });
      if (response.ok) await store.put("meta", await response.blob(), key(photoId));
    } catch (error) {
      console.warn("returned photo", photoId, error); // offline: tried again after the next pull
    }
  }
  const kept = (await store.get("meta", "returned-photos")) || [];
  for (const photoId of kept) if (!wanted.has(photoId)) await store.del("meta", key(photoId));
  await store.put("meta", [...wanted], "returned-photos");
}

export const get = (photoId) => store.get("meta", key(photoId));
