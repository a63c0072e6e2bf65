"""app/: the sample service the deploy workflow builds by default. Its Dockerfile meets what the stack's
defaults ask of an image, read from the option types (so a changed default fails here), and the server
answers the load balancer's health check, run as a process."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from cdktf_fargate import Container, HealthCheck

import pytest
from conftest import ROOT

from stacks.environments import EnvironmentConfig, ImageBuild

APP = ROOT / "app"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = (APP / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_workflow_builds_the_sample_by_default():
    assert ImageBuild().context == "app"
    assert EnvironmentConfig().build == ImageBuild()
    assert (ROOT / ImageBuild().context / "Dockerfile").is_file()


def test_the_dockerfile_meets_what_the_defaults_ask_of_an_image():
    found = instructions()
    by_kind: dict[str, list[str]] = {}
    for kind, argument in found:
        by_kind.setdefault(kind, []).append(argument)
    container = Container()
    # The user the task runs as, numeric; the last USER is the one the image runs with.
    assert by_kind["USER"][-1] == container.user
    assert all(part.isdigit() for part in container.user.split(":"))
    # Each scratch path is a volume the image owns for that user (a VOLUME keeps the image's owner).
    volumes = {path for argument in by_kind["VOLUME"] for path in argument.split()}
    assert set(container.scratch_paths) <= volumes
    for path in container.scratch_paths:
        assert any(f"chown {container.user} {path}" in argument for argument in by_kind["RUN"]), path
    # The port, given to the server as PORT.
    assert by_kind["EXPOSE"] == [str(container.port)]
    assert f"PORT={container.port}" in " ".join(by_kind["ENV"])
    # Nothing written beside the code on a read-only root filesystem.
    assert container.readonly_root_filesystem
    assert "PYTHONDONTWRITEBYTECODE=1" in " ".join(by_kind["ENV"])
    # An exec-form command: the init process forwards SIGTERM to the server itself.
    assert json.loads(by_kind["CMD"][-1])[0] == "python"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(APP / "server.py")],
        env={"PORT": str(port), "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def get(url: str) -> tuple[int, dict]:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_server_answers_the_load_balancers_health_check_and_stops_on_sigterm(server):
    process, url = server
    assert get(url + HealthCheck().path) == (200, {"status": "ok"})
    status, body = get(url + "/")
    assert status == 200 and body["service"] == "sample"
    assert get(url + "/nothing-here") == (404, {"error": "not found"})
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    logged = [json.loads(line) for line in process.stdout.read().splitlines()]
    assert {"request": "GET /health HTTP/1.1", "status": "200"} in logged
