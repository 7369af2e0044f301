// On the server-rendered My sites page: install the offline app's service worker, so the
// shell and the sites are on the phone before the technician loses signal.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => console.warn("service worker", error));
}

// The first online visit also downloads the sites into IndexedDB for offline use.
import("./sitedata.js").then((sites) => sites.pull()).catch((error) => console.warn("pull", error));
