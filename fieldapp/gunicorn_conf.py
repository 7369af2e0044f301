"""gunicorn settings for `make run`: threads, because speed tests hold long requests open.

Each speed-test stream holds one thread for its whole phase (4 streams per tester), and
gunicorn hands a new request to a worker whether or not its threads are free. So every
worker keeps RESERVED_THREADS threads that speed-test transfers may never take: the rest is
the per-process stream limit (SPEEDTEST_MAX_STREAMS, passed to the app through the
environment); a stream beyond it gets 503 and the phone retries. See docs/speedtest.md.
"""

import os
import subprocess
import sys

RESERVED_THREADS = int(os.environ.get("WEB_RESERVED_THREADS", "4"))

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "32"))
timeout = 120
graceful_timeout = 30
accesslog = "-"

os.environ.setdefault("FLASK_SPEEDTEST_MAX_STREAMS", str(max(1, threads - RESERVED_THREADS)))


# The job worker (fieldapp/job_worker.py) runs beside the web workers, on the app they serve,
# so `make run` (and a service running this command) stays one command. WEB_JOBS=0 leaves it
# out, for a host that runs `flask run-jobs` as a service of its own.
def on_starting(server):
    if os.environ.get("WEB_JOBS", "1") == "0":
        return
    paths = [*(server.cfg.pythonpath or "").split(","), os.getcwd(), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    server.job_worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", server.app.app_uri, "run-jobs"], env=env)


def on_exit(server):
    worker = getattr(server, "job_worker", None)
    if worker:
        worker.terminate()
        try:
            worker.wait(graceful_timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
