"""replication.py and `flask replica`: Litestream to a folder or S3, and a restore drill."""

import os
import uuid

import pytest

from fieldapp import blobstore
from fieldapp import replica_cli
from fieldapp import uploads
from fieldapp.evidence import photo as photo_kind
from tests.test_imaging import jpeg


@pytest.fixture
def replicated(app, tmp_path):
    """REPLICA_URL beside the blobs: a folder with the local store, the bucket with S3."""
    if app.config["BLOB_STORE"] == "s3":
        app.config["REPLICA_URL"] = f"s3://{app.config['BLOB_S3_BUCKET']}/{app.config['BLOB_S3_PREFIX']}db"
    else:
        app.config["REPLICA_URL"] = str(tmp_path / "replica")
    return app


@pytest.fixture
def evidence(app, db, make):
    tech = make.user("technician", username="tech")
    inst = make.installation([tech])
    blobs = blobstore.from_config(app.config)

    def add(count):
        return [uploads.store_bytes(db, blobs, tech, "photo",
                                    {"id": str(uuid.uuid4()), "installation_id": inst, "shot": "power"},
                                    jpeg(320, 240))
                for _ in range(count)]

    return add


def test_restore_drill_passes_then_shows_lag(replicated, runner, evidence):
    evidence(3)
    assert runner.invoke(args=["replica", "once"]).exit_code == 0
    drill = runner.invoke(args=["replica", "drill"])
    assert drill.exit_code == 0, drill.output
    assert "integrity_check: ok" in drill.output and "photos: 3 restored, 3 live" in drill.output
    assert "missing: 0" in drill.output and "Restore drill passed." in drill.output

    evidence(1)  # committed, not yet replicated: the replica is behind, never the guarantee
    behind = runner.invoke(args=["replica", "drill"])
    assert behind.exit_code == 1 and "photos: 3 restored, 4 live" in behind.output
    assert runner.invoke(args=["replica", "once"]).exit_code == 0
    assert runner.invoke(args=["replica", "drill"]).exit_code == 0


def test_drill_fails_when_a_blob_the_rows_name_is_gone(replicated, app, runner, evidence):
    row = evidence(2)[0]
    runner.invoke(args=["replica", "once"])
    blobstore.from_config(app.config).delete(photo_kind.variant_key(row, "thumb"))
    drill = runner.invoke(args=["replica", "drill"])
    assert drill.exit_code == 1 and "missing: 1" in drill.output


def test_commands_need_a_replica_url(runner):
    result = runner.invoke(args=["replica", "drill"])
    assert result.exit_code != 0 and "REPLICA_URL is not set" in result.output


def test_exec_without_a_replica_is_the_command_itself(runner, monkeypatch):
    ran = []
    monkeypatch.setattr(replica_cli.os, "execvp", lambda name, argv: ran.append(argv))
    runner.invoke(args=["replica", "exec", "gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"])
    assert ran == [["gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"]]


def test_exec_with_a_replica_runs_litestream_supervising_it(replicated, app, runner, monkeypatch):
    ran = []
    monkeypatch.setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setattr(replica_cli.os, "execve", lambda path, argv, env: ran.append((argv, env)))
    runner.invoke(args=["replica", "exec", "gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"])
    argv, env = ran[0]
    assert argv[1:3] == ["replicate", "-config"] and os.path.exists(argv[3])
    assert argv[-2:] == ["-exec", "gunicorn --bind 127.0.0.1:0 wsgi:app"]
    assert "AWS_CA_BUNDLE" not in env
    if app.config["BLOB_STORE"] == "s3":
        assert env["LITESTREAM_SECRET_ACCESS_KEY"] == app.config["BLOB_S3_SECRET_KEY"]
        assert app.config["BLOB_S3_SECRET_KEY"] not in open(argv[3]).read()
