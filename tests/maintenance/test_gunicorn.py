"""The documented production command starts Hub under gunicorn with several workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not become healthy in time")


@pytest.fixture
def gunicorn_server(app_config, instance_path, users):
    port = _free_port()
    env = {
        **os.environ,
        "HUB_INSTANCE_PATH": str(instance_path),
        "HUB_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "HUB_STORAGE": app_config["HUB_STORAGE"],
        "HUB_INDEX_DIR": app_config["HUB_INDEX_DIR"],
        "HUB_CACHE_DIR": app_config["HUB_CACHE_DIR"],
        "HUB_SECRET_KEY": "gunicorn-test-secret",
    }
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "3", "hub:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_gunicorn_serves_health_and_sign_in_with_several_workers(gunicorn_server, users):
    url, proc = gunicorn_server
    with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
        assert response.status == 200
        assert b'"status":"ok"' in response.read().replace(b" ", b"")
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{url}/login", timeout=5) as response:
        page = response.read().decode()
        assert response.status == 200
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"email": users["admin"].email, "password": PASSWORD, "csrf_token": token}
    ).encode()
    with opener.open(f"{url}/login", data=body, timeout=10) as response:
        # CSRF is on outside tests; a real sign-in lands on the admin's start page
        assert response.status == 200
        assert response.url.endswith("/admin/users")
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 3


@pytest.mark.parametrize(
    ("environ", "threads"),
    [
        ({}, 1),
        ({"HUB_DATABASE_URL": "sqlite:////srv/hub/hub.db", "HUB_STORAGE": "/srv/hub/files"}, 1),
        ({"HUB_DATABASE_URL": "postgresql+psycopg://hub@db/hub"}, 4),
        ({"HUB_STORAGE": "s3://hub-files/prod"}, 4),
    ],
)
def test_workers_have_threads_only_when_requests_wait_on_other_servers(environ, threads):
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["threads_for"](environ) == threads
    assert conf["workers"] == 4 and conf["worker_class"] == "gthread"
