"""The documented production command starts Hub under gunicorn with several workers."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.models import PageView
from tests.conftest import PASSWORD
from tests.factories import make_pdf_asset
from tests.factories import make_share

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


def _start(app_config, instance_path, port: int, workers: int) -> subprocess.Popen:
    """The documented production command, on this test's database and folders; its log in the instance."""
    env = {
        **os.environ,
        "HUB_INSTANCE_PATH": str(instance_path),
        "HUB_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "HUB_STORAGE": app_config["HUB_STORAGE"],
        "HUB_INDEX_DIR": app_config["HUB_INDEX_DIR"],
        "HUB_CACHE_DIR": app_config["HUB_CACHE_DIR"],
        "HUB_SECRET_KEY": "gunicorn-test-secret",
    }
    with (instance_path / "gunicorn.log").open("a") as log:
        return subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _workers(proc: subprocess.Popen) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()


@pytest.fixture
def gunicorn_server(app_config, instance_path, users):
    port = _free_port()
    proc = _start(app_config, instance_path, port, workers=3)
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
    workers = _workers(proc)
    assert len(workers) == 3


def test_beacons_are_stored_and_a_killed_worker_is_replaced(gunicorn_server, users):
    url, proc = gunicorn_server
    asset = make_pdf_asset(users["marketer"], pages=3)
    share = make_share(users["rep"], asset)
    beacon_url, asset_id = f"{url}/s/{share.token}/beacon", asset.id
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{url}/s/{share.token}", timeout=10) as response:
        assert response.status == 200

    def send(pages: dict) -> int:
        body = json.dumps({"asset": asset_id, "pages": pages}).encode()
        request = urllib.request.Request(beacon_url, data=body, method="POST")
        request.add_header("Content-Type", "text/plain;charset=UTF-8")
        try:
            with opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, [{"1": n / 10, "2": 0.5} for n in range(1, 41)]))
    assert statuses == [204] * 40
    db.session.expire_all()
    assert {(v.page, v.seconds) for v in db.session.scalars(select(PageView))} == {(1, 4.0), (2, 0.5)}

    workers = _workers(proc)
    os.kill(int(workers[0]), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = _workers(proc)
        if len(alive) == 3 and workers[0] not in alive:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("gunicorn did not replace the killed worker")
    _wait_healthy(url, proc)
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(send, [{"3": 2}] * 12)) == [204] * 12
    db.session.expire_all()
    assert {(v.page, v.seconds) for v in db.session.scalars(select(PageView))} == {
        (1, 4.0),
        (2, 0.5),
        (3, 2.0),
    }


def test_a_stop_sent_while_workers_load_the_app_stops_them_at_once(app_config, instance_path):
    proc = _start(app_config, instance_path, _free_port(), workers=2)
    try:
        deadline = time.monotonic() + 30
        while len(_workers(proc)) < 2:
            assert time.monotonic() < deadline, "gunicorn never forked its workers"
            time.sleep(0.02)
        # the workers are still importing Hub and building the app
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        proc.wait(timeout=60)
        assert time.monotonic() - started < 15, "a worker missed the stop and waited to be killed"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_production_settings_run_the_asgi_worker():
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == 4 and conf["worker_class"] == "asgi"
    assert conf["wsgi_app"] == "hub.asgi:create_app()"
    # gunicorn's asgi worker takes no threads: the pages' threads are hub.asgi's own
    assert "threads" not in conf
