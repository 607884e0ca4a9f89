"""Serving a generated project's API in a test: a free loopback port and a wait for /health.

Three suites start a real uvicorn (the tool's venv, the owner's fresh environment, a Render
blueprint's start command); each must tell a slow start from a crashed one and show why it
never became healthy.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx
import pytest


def free_port() -> int:
    """Return a loopback port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(
    client: httpx.Client,
    server: subprocess.Popen[bytes] | subprocess.Popen[str],
    *,
    seconds: float,
    why: Callable[[], str],
) -> None:
    """Poll ``/health`` until it answers 200; fail with ``why()`` if the server exits or stalls."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server never answered /health 200:\n{why()}")
        time.sleep(0.2)
