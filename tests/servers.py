"""Starting real servers for end-to-end tests: each on a free port of 127.0.0.1, as a subprocess,
polled until it answers, logging to a file in the test's temporary directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_server(command: list[str], port: int, log: Path, ready_path: str = "/",
                 env: dict | None = None, timeout: float = 60.0) -> ServerProcess:
    log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "wb")
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + ready_path, timeout=2) as response:
                if response.status < 500:
                    return ServerProcess(url, process, log)
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return ServerProcess(url, process, log)
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not answer within {timeout} s:\n{log.read_text(errors='replace')}")


def start_xiancheng(data_dir: Path, log: Path, **settings) -> ServerProcess:
    """``xiancheng serve`` on a free port, configured by environment variables."""
    port = free_port()
    env = {"XIANCHENG_DATA_DIR": str(data_dir), "XIANCHENG_PORT": str(port)}
    env.update({f"XIANCHENG_{k.upper()}": str(v) for k, v in settings.items()})
    return start_server([sys.executable, "-m", "xiancheng", "serve"], port, log,
                        ready_path="/sparql?query=ASK%7B%7D", env=env)


def oxigraph_command() -> str:
    """The `oxigraph` server of the `oxigraph` package (a test dependency), beside this Python."""
    import shutil

    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else (shutil.which("oxigraph") or "oxigraph")


def start_oxigraph(location: Path, log: Path, port: int | None = None, *options: str) -> ServerProcess:
    """A real Oxigraph server (`oxigraph serve`) on 127.0.0.1, persisting in ``location``."""
    port = port or free_port()
    return start_server([oxigraph_command(), "serve", "--location", str(location), "--bind",
                         f"127.0.0.1:{port}", *options], port, log, ready_path="/query?query=ASK%7B%7D")
