// The phone's own database: sites as pulled, the outbox of records and photos, and a
// little metadata. A tiny IndexedDB wrapper (no library): four stores, promise API.
// User data lives only here, never in the service worker's caches or localStorage.

const NAME = "fieldapp";
const VERSION = 1;
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta");
        db.createObjectStore("sites", { keyPath: "id" });
        db.createObjectStore("outbox", { keyPath: "id" });
        db.createObjectStore("photos", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function run(storeName, mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const result = action(tx.objectStore(storeName));
    // Resolve only once the transaction committed: "saved" must mean saved.
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function changed(storeName) {
  if (storeName !== "meta") window.dispatchEvent(new CustomEvent("fieldapp:change", { detail: storeName }));
}

export const get = (storeName, key) => run(storeName, "readonly", (s) => s.get(key));
export const all = (storeName) => run(storeName, "readonly", (s) => s.getAll());

export async function put(storeName, value, key) {
  await run(storeName, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
  changed(storeName);
}

export async function del(storeName, key) {
  await run(storeName, "readwrite", (s) => s.delete(key));
  changed(storeName);
}

export async function replaceAll(storeName, values) {
  // Used by the pull: the server's list of sites replaces the phone's in one transaction.
  await run(storeName, "readwrite", (s) => {
    s.clear();
    for (const value of values) s.put(value);
  });
  changed(storeName);
}
