// Sites on the phone: what the pull brought, plus what this phone queued and the server
// confirmed since. The checklist ("6 of 8 photos, 24 splices, speed test missing") is judged
// from both by checklist.js, so it is right offline.
import * as api from "./api.js";
import * as store from "./store.js";
import { KINDS, fileType } from "./kinds.js";
import { current } from "./current.js";

export async function pull() {
  const cursor = await store.get("meta", "cursor");
  const user = await store.get("meta", "user");
  const held = user && (await store.get("meta", "labels")) ? user.language : undefined;
  const answer = await api.pull(user ? cursor : undefined, held);
  if (user && answer.user && user.id !== answer.user.id) {
    // Another person signed in on this phone: their sites, not the previous ones (a full
    // pull). The previous person's queued items stay, tied to them, until they sign in.
    await store.replaceAll("sites", []);
    await store.del("meta", "cursor");
    await store.del("meta", "user");
    return pull();
  }
  for (const installation of answer.installations || []) await store.put("sites", installation);
  for (const id of answer.unassigned || []) await store.del("sites", id);
  await store.put("meta", answer.user, "user");
  await store.put("meta", { ...((await store.get("meta", "profiles")) || {}), ...answer.profiles }, "profiles");
  if (answer.labels) await store.put("meta", answer.labels, "labels");
  await store.put("meta", answer.cursor, "cursor");
}

export async function addConfirmed(installationId, kind, record) {
  // Between the server's "stored" and the next pull, the phone still shows what it sent.
  const site = await store.get("sites", installationId);
  if (!site || !kind) return;
  site.records = site.records || {};
  const list = site.records[kind] || [];
  if (!list.some((r) => r.id === record.id)) list.push({ id: record.id, ...record.data, ...record });
  site.records[kind] = list;
  await store.put("sites", site);
}

export async function load(id) {
  return store.get("sites", Number(id));
}

export async function profileFor(site) {
  const profiles = (await store.get("meta", "profiles")) || {};
  return profiles[site.profile_id] || profiles[String(site.profile_id)] || null;
}

// A kind's list in the view: its table in camelCase ("speed_tests" -> speedTests).
const viewKey = (table) => table.replace(/_(\w)/g, (match, letter) => letter.toUpperCase());

export function localView(site, outbox, files) {
  // The site's current records of each kind: the server's plus those still waiting on the
  // phone (records in the outbox, files in the `photos` store). Submissions stay the phone's.
  // A kind may come both ways (a signed handover is a file, an unsigned one a record).
  const mine = outbox.filter((r) => r.installation_id === site.id);
  const records = site.records || {};
  const waiting = (kind) => [
    ...(kind.file ? files.filter((f) => f.installation_id === site.id && fileType(f) === kind.type) : []),
    ...mine.filter((r) => r.type === kind.type).map((r) => ({ ...r.data, ...r })),
  ].map((item) => ({ ...item, waiting: true }));
  const view = { submissions: mine.filter((r) => r.type === "submission") };
  for (const kind of KINDS) {
    if (kind.table) view[viewKey(kind.table)] = current([...(records[kind.table] || []), ...waiting(kind)]);
  }
  return view;
}

export function displayStatus(site, view) {
  // Submitted on the phone is not yet under review: on 2G the submission may wait minutes.
  return view.submissions.some((r) => r.state === "pending") ? "submit_queued" : site.status;
}
