"""An isolated virtualenv holding PyAirbyte, created on demand and reused, for the PyAirbyte tests and examples.

PyAirbyte pins its own airbyte-cdk and pydantic, so it never goes into the project's ``.venv``: it gets a
venv of its own (default ``build/pyairbyte-venv``, gitignored; ``PYAIRBYTE_VENV`` moves it, e.g. to a CI
cache folder). Creation is idempotent: a stamp file records what was installed, a matching venv is
reused, anything else is rebuilt. Connectors PyAirbyte installs (source-faker) go to ``connectors/``
inside it, so they are reused as well.

Create it (once) and print the interpreter to run the examples with::

    .venv/bin/python testkit/pyairbyte_env.py
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO / "build" / "pyairbyte-venv"
#: The environment variable that moves the venv (e.g. to a folder a CI cache restores).
ROOT_VARIABLE = "PYAIRBYTE_VENV"
PYAIRBYTE_VERSION = "0.71.3"
#: uv installs PyAirbyte in seconds where pip needs minutes; PyAirbyte also calls ``uv`` to install connectors.
UV_VERSION = "0.8.24"
#: The project's own destination, which PyAirbyte runs as a local executable.
DESTINATION_EXECUTABLE = REPO / ".venv" / "bin" / "destination-milvus-support"
INSTALL_TIMEOUT = 900.0


class PyAirbyteEnvError(RuntimeError):
    """The PyAirbyte venv could not be created; the message says which step failed and what to check."""


@dataclass(frozen=True)
class PyAirbyteEnv:
    """A ready PyAirbyte venv: its interpreter and the environment its scripts run with."""

    root: Path

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def connectors(self) -> Path:
        """Where PyAirbyte installs Python connectors (``AIRBYTE_INSTALL_DIR``), kept across runs."""
        return self.root / "connectors"

    def environ(self, work: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Variables for a PyAirbyte process: offline registry, this venv's ``uv`` first on PATH, logs in ``work``."""
        env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _FOREIGN_VARIABLES}
        env.update(
            AIRBYTE_OFFLINE_MODE="1",
            DO_NOT_TRACK="1",
            AIRBYTE_INSTALL_DIR=str(self.connectors),
            AIRBYTE_PROJECT_DIR=str(work),
            AIRBYTE_CACHE_ROOT=str(work / "cache"),
            AIRBYTE_LOGGING_ROOT=str(work / "logs"),
            PATH=os.pathsep.join([str(self.bin), env.get("PATH", os.defpath)]),
            PYTHONUNBUFFERED="1",
            # google-cloud libraries PyAirbyte imports warn about Python 3.11's end of life on every start.
            PYTHONWARNINGS="ignore::FutureWarning",
        )
        return env


#: The interpreter behind the project's venv (PyAirbyte's venv is made from it).
_BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
#: Variables of the calling venv that must not leak into PyAirbyte's interpreter or its connectors.
_FOREIGN_VARIABLES = frozenset({"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PYTHON"})


def _stamp() -> dict[str, str]:
    return {
        "airbyte": PYAIRBYTE_VERSION,
        "uv": UV_VERSION,
        "python": ".".join(map(str, sys.version_info[:3])),
        "base_python": str(_BASE_PYTHON.resolve()),
    }


def _root() -> Path:
    configured = os.environ.get(ROOT_VARIABLE, "").strip()
    return Path(configured).expanduser().absolute() if configured else DEFAULT_ROOT


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One creator at a time (parallel test processes share the venv)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(step: str, args: list[str], env: Mapping[str, str]) -> None:
    try:
        completed = subprocess.run(
            args, capture_output=True, text=True, env=dict(env), timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise PyAirbyteEnvError(
            f"Creating the PyAirbyte venv: {step} did not finish in {INSTALL_TIMEOUT:.0f} s. "
            "It downloads from PyPI: check the network or proxy."
        ) from None
    if completed.returncode != 0:
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-15:])
        raise PyAirbyteEnvError(
            f"Creating the PyAirbyte venv: {step} failed (exit code {completed.returncode}). It downloads from "
            f"PyPI: check the network, proxy or index settings (pip config, UV_INDEX_URL).\n{tail}"
        )


def _create(root: Path) -> None:
    env = PyAirbyteEnv(root)
    shutil.rmtree(env.venv, ignore_errors=True)
    shutil.rmtree(env.connectors, ignore_errors=True)
    clean = env.environ(root)
    _run("python -m venv", [str(_BASE_PYTHON), "-m", "venv", str(env.venv)], clean)  # a plain stdlib venv
    _run(f"pip install uv=={UV_VERSION}", [str(env.python), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"], clean)
    requirement = f"airbyte=={PYAIRBYTE_VERSION}"
    uv_install = [str(env.bin / "uv"), "pip", "install", "--quiet", "--python", str(env.python), requirement]
    _run(f"uv pip install {requirement}", uv_install, clean)
    _run("import airbyte", [str(env.python), "-c", "import airbyte"], clean)


def ensure_pyairbyte_env(root: Path | None = None) -> PyAirbyteEnv:
    """The PyAirbyte venv at ``root`` (default: ``$PYAIRBYTE_VENV`` or ``build/pyairbyte-venv``), created if needed.

    Raises ``PyAirbyteEnvError`` naming the failed step (usually: no route to PyPI).
    """
    root = (root or _root()).absolute()
    env = PyAirbyteEnv(root)
    stamp_file = root / "stamp.json"
    with _locked(root):
        try:
            current = json.loads(stamp_file.read_text())
        except (OSError, ValueError):
            current = None
        if current == _stamp() and env.python.exists():
            return env
        stamp_file.unlink(missing_ok=True)
        _create(root)
        stamp_file.write_text(json.dumps(_stamp(), indent=2) + "\n")
    return env


def main() -> int:
    """Create the venv if needed; print its interpreter (stdout) and the time taken (stderr)."""
    started = time.monotonic()
    try:
        env = ensure_pyairbyte_env()
    except PyAirbyteEnvError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"PyAirbyte {PYAIRBYTE_VERSION} venv ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(env.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
