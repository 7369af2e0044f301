// A site's speed test in the technician app: the speed screen (static/js/speed/screen.js,
// also mounted by the /speedtest/ page) given this site, its profile and the outbox.
import * as i18n from "./i18n.js";
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import { name, notFound, unavailable } from "./screens.js";
import { t } from "./i18n.js";

export async function render(container, id) {
  // The speed test screen belongs to another module; a missing one must not break the app.
  const site = await sitedata.load(id);
  if (!site) return notFound(container);
  const ctx = {
    installation: site,
    profile: (await sitedata.profileFor(site))?.rules || null,
    get online() { return navigator.onLine; }, // read when asked: the network comes back
    messages: i18n.all(),
    saveRecord: (type, data) => outbox.saveRecord(type, site.id, data),
    addPhoto: (file, { shot, caption } = {}) =>
      import("./photos.js").then((m) => m.addPhoto(site, file, { shot, caption })),
  };
  try {
    const module = await import("./speed/screen.js");
    const slot = document.createElement("div");
    const back = Object.assign(document.createElement("a"), { className: "back", href: `#/site/${site.id}`,
      textContent: `← ${name(site)}` });
    container.replaceChildren(back, slot);
    return module.mountSpeedScreen(slot, ctx);
  } catch (error) {
    console.warn("speed screen", error);
    return unavailable(container, id, t("speed_unavailable"));
  }
}
