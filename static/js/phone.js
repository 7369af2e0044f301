// The one script of the phone's two pages. fieldapp/bundle.py bundles it with everything
// it imports into one file (/dist/phone-<hash>.js): My sites loads that file and keeps it
// (immutable), so the service worker's precache takes it from the browser's cache instead
// of downloading the same bytes again. The offline app's shell runs the app; on My sites
// (whose register.js installs the worker) the first online visit downloads the sites into
// IndexedDB for offline use.
if (document.body.classList.contains("tech-app")) {
  import("./app.js");
} else {
  import("./sitedata.js").then((sites) => sites.pull()).catch((error) => console.warn("pull", error));
}
