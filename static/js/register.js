// On the server-rendered My sites page: install the offline app's service worker, so the
// shell and the sites are on the phone before the technician loses signal. A file of its
// own, with no imports, loaded beside the phone's bundle: the worker's install starts one
// round trip after the page instead of after the whole bundle has arrived.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => console.warn("service worker", error));
}
