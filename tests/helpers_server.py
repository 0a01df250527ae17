"""A real ``papers serve`` process on a free loopback port, for the API and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Seconds a server may take to start (Kiwi loads before it listens; CI machines are slow).
START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``papers serve`` over ``index_dir``, stopped by :meth:`stop`."""

    def __init__(self, index_dir: Path, log: Path) -> None:
        httpx = pytest.importorskip("httpx")
        pytest.importorskip("starlette")
        pytest.importorskip("uvicorn")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "search", "serve", "--port", str(self.port), "--index-dir", str(index_dir)],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
            )
        self.client = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"papers serve exited: {log.read_text(errors='replace')}")
            try:
                if self.client.get("/api/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"papers serve did not answer in {START_TIMEOUT}s: {log.read_text(errors='replace')}")
            time.sleep(0.2)

    def get(self, path: str, **params):
        return self.client.get(path, params=params)

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
