"""Real servers the tests start on 127.0.0.1: Milvus Lite's gRPC server and the Milvus 2.3.5 standalone."""

from __future__ import annotations

import contextlib
import fcntl
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@contextlib.contextmanager
def milvus_lite_server(data_dir: Path) -> Iterator[str]:
    """``milvus-lite server`` in a subprocess; yields its http URI; stops it by PID."""
    port = free_port()
    exe = Path(sys.executable).with_name("milvus-lite")
    # The server's own output goes next to its data, to read when a test finds it gone.
    log = (data_dir / "server.log").open("ab")
    process = subprocess.Popen(
        [str(exe), "server", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class LiteServer:
    """``milvus-lite server`` on a fixed port and data folder that a test can kill (SIGKILL) and start again."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = Path(sys.executable).with_name("milvus-lite")
        with (self.data_dir / "server.log").open("ab") as log:
            self._process = subprocess.Popen(
                [str(exe), "server", "--data-dir", str(self.data_dir), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port)

    def kill(self) -> None:
        """SIGKILL, as an OOM killer or a lost node would: no shutdown of any kind."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing answers (a hung server)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            self.thaw()
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


@contextlib.contextmanager
def milvus_standalone_server(base_dir: Path) -> Iterator[str]:
    """The Milvus 2.3.5 C++ standalone server from the ``milvus`` PyPI package."""
    from milvus import default_server

    # Its embedded etcd listens on the fixed ports 2379/2380, so only one such server can run on a
    # machine at a time: test runs in parallel (several checkouts) wait for each other here.
    lock_path = Path(tempfile.gettempdir()) / "milvus-2.3.5-standalone.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        default_server.set_base_dir(str(base_dir))
        port = free_port()
        default_server.listen_port = port
        default_server.start()
        try:
            wait_for_port(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            default_server.stop()
