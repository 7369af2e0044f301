// The /speedtest/ page: mounts the speed screen outside the technician app. Browser results
// are sent through the sync API when it answers (docs/api.md); everything is kept on the page.
import { mountSpeedScreen } from "./screen.js";

const root = document.getElementById("speed-root");
const data = JSON.parse(root.dataset.speed);
const photos = new Map();

async function send(type, record) {
  const id = crypto.randomUUID();
  const body = { key: crypto.randomUUID(), records: [{
    type, id, installation_id: data.installation.id, device_time: new Date().toISOString(),
    replaces: null, data: record }] };
  const response = await fetch("/api/v1/batches", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": document.body.dataset.csrf },
    body: JSON.stringify(body),
  });
  const answer = response.ok ? await response.json() : null;
  return { id, sync_status: answer?.results?.[0]?.status ?? `http_${response.status}` };
}

mountSpeedScreen(root, {
  ...data,
  get online() { return navigator.onLine; },
  async saveRecord(type, record) {
    // This page cannot upload photos, so a tester entry (it names one) stays here unsent; the
    // app's site screen sends both through its outbox.
    const sendable = data.installation && record.method === "browser";
    const saved = sendable ? await send(type, record).catch(() => ({ sync_status: "offline" })) : {};
    root.dataset.lastRecord = JSON.stringify({ type, ...record, ...saved });
    const note = document.getElementById("speed-sync");
    const sent = ["stored", "duplicate"].includes(saved.sync_status);
    note.textContent = sent ? note.dataset.sent
      : note.dataset.notSent.replace("{status}", saved.sync_status || "-");
    return saved;
  },
  async addPhoto(file) {
    const id = crypto.randomUUID();
    photos.set(id, file);
    return id;
  },
});
