"""gunicorn settings for `make run`: threads, because speed tests hold long requests open.

Each speed-test stream holds one thread for its whole phase (4 streams per tester), and
gunicorn hands a new request to a worker whether or not its threads are free. So every
worker keeps RESERVED_THREADS threads that speed-test transfers may never take: the rest is
the per-process stream limit (SPEEDTEST_MAX_STREAMS, passed to the app through the
environment); a stream beyond it gets 503 and the phone retries. See docs/speedtest.md.
"""

import os

RESERVED_THREADS = int(os.environ.get("WEB_RESERVED_THREADS", "4"))

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "32"))
timeout = 120
graceful_timeout = 30
accesslog = "-"

os.environ.setdefault("FLASK_SPEEDTEST_MAX_STREAMS", str(max(1, threads - RESERVED_THREADS)))
