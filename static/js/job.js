// A background job's page: poll its status, fill the progress bar, and show the finished page
// (with its download) when the job ends. Any gunicorn worker can answer: progress is in SQLite.
const box = document.querySelector(".job[data-status-url]");
const POLL_MS = 1000;

async function poll() {
  try {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const status = await response.json();
      if (status.state !== "running") {
        location.reload();  // the server draws the end: the download, or what went wrong
        return;
      }
      box.querySelector("progress").value = status.done;
      box.querySelector(".job-message").textContent = status.message;
    }
  } catch {
    // The network blinked: keep polling, the job goes on without us.
  }
  setTimeout(poll, POLL_MS);
}

if (box && box.dataset.state === "running") setTimeout(poll, POLL_MS);
