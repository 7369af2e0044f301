"""gunicorn settings for `make run`: threads, because speed tests hold long requests open."""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "16"))
timeout = 120
graceful_timeout = 30
accesslog = "-"
