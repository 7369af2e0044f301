// A background job's page: poll its status, fill the progress bar, and show the finished page
// (with its download) when the job ends. Any gunicorn worker can answer: progress is in SQLite.
const box = document.querySelector(".job[data-status-url]");
const POLL_MS = 1000;

async function poll() {
  try {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.status >= 500) throw new Error(`status ${response.status}`);  // a restart: poll on
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    const status = response.ok && json ? await response.json() : null;
    if (!status || status.state !== "running") {
      // The server draws the end (the download, or what went wrong), and a signed-out
      // session or a job gone for good too (a login page, a 404) instead of a frozen bar.
      location.reload();
      return;
    }
    box.querySelector("progress").value = status.done;
    box.querySelector(".job-message").textContent = status.message;
  } catch {
    // The network blinked or the server is restarting: keep polling, the job goes on (or is
    // reported interrupted once the server answers again).
  }
  setTimeout(poll, POLL_MS);
}

if (box && box.dataset.state === "running") setTimeout(poll, POLL_MS);
