"""Shared fixtures: an app on a temporary database, clients, factories, a live server, Chromium."""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from browser_helpers import CHROMIUM
from browser_helpers import CHROMIUM_ARGS
from seaweed import SeaweedFS
from werkzeug.serving import make_server

from fieldapp import accounts
from fieldapp import bundle
from fieldapp import create_app
from fieldapp import installations
from fieldapp import job_worker as job_worker_module
from fieldapp import migrations
from fieldapp import places
from fieldapp import profiles
from fieldapp import store
from fieldapp.db import get_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Cheap argon2 parameters in tests; production keeps the library defaults."""
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


# Modules whose tests store or read blobs run twice: on the local folder and on SeaweedFS.
# (The whole suite twice would double the browser tests for nothing they check about blobs.)
BOTH_STORES = {"test_photos", "test_photo_views", "test_packet", "test_pull", "test_exports",
               "test_review", "test_sync_api", "test_checks", "test_jobs", "test_sync_faults",
               "test_blob_check", "test_blobstore", "test_replication", "test_zip_stream",
               "test_outside_findings", "test_phone_compat"}


def pytest_generate_tests(metafunc):
    """Parametrize blob_store (and so `app`) over both stores in the blob-heavy modules."""
    name = metafunc.module.__name__.rpartition(".")[2]
    if "blob_store" in metafunc.fixturenames and name in BOTH_STORES:
        metafunc.parametrize("blob_store", ["local", "s3"], indirect=True)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """One real SeaweedFS for the whole session, started the first time a test needs it."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs")).start()
    yield server
    server.stop()


@pytest.fixture
def blob_store(request):
    """Which store the app keeps blobs in: "local" unless the module runs on both."""
    return getattr(request, "param", "local")


@pytest.fixture
def blob_config(request, blob_store, tmp_path):
    """The app settings for that store; S3 tests share the bucket under a prefix of their own."""
    if blob_store == "local":
        return {"BLOB_STORE": "local"}
    return request.getfixturevalue("seaweedfs").config(prefix=f"{uuid.uuid4().hex}/")


@pytest.fixture(scope="session")
def built_bundle(tmp_path_factory):
    """The phone's scripts bundled once per session by esbuild (fieldapp/bundle.py), in a
    folder of its own: a test that wants them sets BUNDLE_DIR to it."""
    out = tmp_path_factory.mktemp("dist")
    bundle.build(os.path.join(bundle.ROOT, "static"), os.path.join(bundle.ROOT, "templates"), str(out))
    return str(out)


@pytest.fixture
def bundle_dir(request, tmp_path):
    """No bundle (pages load the modules themselves, as without `make bundle`), unless
    FIELDAPP_TEST_BUNDLE=1: then every test runs on the bundled scripts, as `make run` serves,
    bar those marked `modules` (a module imported by a test beside the bundle would be a
    second copy of it, with state of its own)."""
    if os.environ.get("FIELDAPP_TEST_BUNDLE") == "1" and not request.node.get_closest_marker("modules"):
        return request.getfixturevalue("built_bundle")
    return str(tmp_path / "dist")


@pytest.fixture
def app(tmp_path, blob_config, bundle_dir):
    """An app on a fresh database with the schema applied (CSRF off unless a test turns it on)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "TAG_KEYS": {1: "test-tag-key-1"},
            "DATABASE": str(tmp_path / "test.sqlite3"),
            "BLOB_DIR": str(tmp_path / "blobs"),
            "JOB_DIR": str(tmp_path / "jobs"),
            "COMPRESS_CACHE_DIR": str(tmp_path / "compressed"),
            "BUNDLE_DIR": bundle_dir,
            "WTF_CSRF_ENABLED": False,
            "CHECK_SUMMARIES": "inline",  # tests read the review queue's summary right after a batch
            **blob_config,
        }
    )
    with app.app_context():
        migrations.apply(get_db())
    return app


@pytest.fixture
def db(app):
    """A connection to the test app's database, outside any app context.

    Holding an app context for the whole test would make every test-client request reuse
    it, so `g` (the locale, the CSRF token) would leak from one request into the next.
    """
    connection = store.connect(app.config["DATABASE"])
    yield connection
    connection.conn.close()


@pytest.fixture
def client(app):
    """A test client that asks for English unless a test says otherwise."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Small builders for places, users and installations; every argument has a default."""

    def __init__(self, db):
        self.db = db
        self.count = 0

    def _next(self):
        self.count += 1
        return self.count

    def region_id(self, iso="KZ-31"):
        return store.scalar(self.db, "SELECT id FROM regions WHERE iso_code = ?", [iso])

    def institution(self, region="KZ-31", type="school", lat=42.9, lon=71.4, **fields):
        n = self._next()
        with store.write(self.db):
            district = places.district_id(self.db, self.region_id(region), f"Район {region}")
            settlement = places.settlement_id(self.db, district, f"{n:09d}", f"Село {n}", None, lat, lon)
            row = {
                "settlement_id": settlement,
                "type": type,
                "name_ru": f"Учреждение {n}",
                "name_kk": f"Мекеме {n}",
                "lat": lat,
                "lon": lon,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
                "pupils": 300 if type == "school" else None,
            }
            return self.db["institutions"].insert({**row, **fields}).last_pk

    def user(self, role="technician", username=None, password="pw", regions=(), language="en"):
        username = username or f"{role}{self._next()}"
        region_ids = [self.region_id(r) for r in regions]
        user_id = accounts.create_user(
            self.db, username, username.title(), password, role, region_ids, language
        )
        return accounts.get_user(self.db, user_id)

    def installation(self, technicians=(), status="planned", region="KZ-31", **institution_fields):
        institution_id = self.institution(region=region, **institution_fields)
        profile_id = profiles.ensure_default(self.db)
        ids = [t["id"] for t in technicians]
        installation_id = installations.create(self.db, institution_id, "TEST-1", profile_id, ids)
        path = {
            "in_progress": ["in_progress"],
            "submitted": ["submitted"],
            "returned": ["submitted", "returned"],
            "approved": ["submitted", "approved"],
            "accepted": ["submitted", "approved", "accepted"],
        }.get(status, [])
        for step in path:
            installations.transition(self.db, installation_id, step)
        return installation_id


@pytest.fixture
def job_worker(app):
    """The job worker's loop (fieldapp/job_worker.py) in a thread of the test process, so a
    test may register a maker of its own; `job_process` runs the real `flask run-jobs`."""
    stop = threading.Event()

    def run():
        with app.app_context():
            job_worker_module.work(app.config, stop, poll=0.02)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(30)


@pytest.fixture
def jobs_wsgi(app, tmp_path):
    """A module `jobs_wsgi` with the test app (`jobs_wsgi:app`) for processes of their own:
    the environment that finds it."""
    config = {key: app.config[key] for key in ("DATABASE", "BLOB_DIR", "JOB_DIR", "SECRET_KEY", "TAG_KEYS",
                                                "COMPRESS_CACHE_DIR", "TESTING", "BLOB_STORE")}
    config.update({key: value for key, value in app.config.items() if key.startswith("BLOB_S3_")})
    module = f"from fieldapp import create_app\n\napp = create_app({config!r})\n"
    (tmp_path / "jobs_wsgi.py").write_text(module)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}


@pytest.fixture
def job_process(jobs_wsgi):
    """Start `flask run-jobs` on the test app's configuration, as gunicorn_conf.py does; a
    callable that returns the process (call again after killing it: a new worker)."""
    started = []

    def start():
        started.append(subprocess.Popen([sys.executable, "-m", "flask", "--app", "jobs_wsgi:app", "run-jobs"],
                                        env=jobs_wsgi, stdout=subprocess.DEVNULL))
        return started[-1]

    yield start
    for process in started:
        process.kill()
        process.wait(10)


@pytest.fixture
def finished_job(client, job_worker):
    """Poll a background job's status, as its page does, until it ends; its last status."""

    def poll(job_url):
        for _ in range(400):
            status = client.get(f"{job_url}/status").get_json()
            if status["state"] != "running":
                return status
            time.sleep(0.05)
        raise AssertionError(f"{job_url} still running")

    return poll


@pytest.fixture
def make(db):
    """Factories bound to the test database."""
    return Factory(db)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username, password="pw"):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def admin(make, auth):
    """An admin account, signed in on `client`."""
    user = make.user("admin", username="boss")
    auth.login("boss")
    return user


@pytest.fixture
def live_server(app):
    """The app served by a real threaded WSGI server on 127.0.0.1, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
