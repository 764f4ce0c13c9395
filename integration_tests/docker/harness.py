"""A Python handle on ``docker_env.sh`` and the docker CLI: engine, image build, and running the connector image.

Every failure raises ``DockerEnvError`` with the command and the end of its output, so a broken
engine or build fails the test that needed it (it is never skipped).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

SCRIPT = Path(__file__).with_name("docker_env.sh")
#: The tag docker_env.sh builds unless IMAGE is set.
DEFAULT_IMAGE = "airbyte/destination-milvus-support:dev"


class DockerEnvError(RuntimeError):
    """docker_env.sh or the docker CLI failed."""


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass
class DockerEnv:
    """The engine and image the tests use; stops the engine at the end only if it started it."""

    log_path: Path
    image: str = field(default_factory=lambda: os.environ.get("IMAGE", DEFAULT_IMAGE))
    started_engine: bool = False
    #: Seconds per step (engine, build, ...), for the test report.
    timings: dict[str, float] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        env = dict(os.environ)
        # docker_env.sh runs `python3 setup.py --version` and `python3 -m pip config list`: use this
        # venv's interpreter, which has setuptools and sees the same pip settings.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["IMAGE"] = self.image
        self.env = env

    # -- docker_env.sh ---------------------------------------------------------------------------

    def script(self, *args: str, timeout: float = 900.0) -> str:
        """Run ``docker_env.sh ARGS``; return its stdout; raise with its output's tail on failure."""
        started = time.monotonic()
        try:
            done = subprocess.run(
                ["bash", str(SCRIPT), *args],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            raise DockerEnvError(f"docker_env.sh {' '.join(args)} did not finish within {timeout:.0f}s") from expired
        finally:
            self.timings[" ".join(args)] = round(time.monotonic() - started, 1)
        with self.log_path.open("a") as log:
            log.write(f"$ docker_env.sh {' '.join(args)}  (exit {done.returncode})\n{done.stderr}{done.stdout}\n")
        if done.returncode != 0:
            raise DockerEnvError(
                f"docker_env.sh {' '.join(args)} failed (exit {done.returncode}); full log: {self.log_path}\n"
                f"{_tail(done.stderr + done.stdout)}"
            )
        return done.stdout

    def _use_exported_host(self, output: str) -> None:
        exports = [line for line in output.splitlines() if line.startswith("export DOCKER_HOST=")]
        if not exports:
            raise DockerEnvError(f"docker_env.sh printed no DOCKER_HOST line:\n{_tail(output)}")
        self.env["DOCKER_HOST"] = exports[-1].split("=", 1)[1]

    def engine_answers(self) -> bool:
        """Whether the docker CLI exists and the engine at DOCKER_HOST answers."""
        if shutil.which("docker", path=self.env["PATH"]) is None:
            return False
        try:
            return self.docker("version", timeout=15.0, check=False).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def ensure_engine(self) -> None:
        """Use the engine that answers (DOCKER_HOST, the system socket, ours); else install and start one."""
        if shutil.which("docker", path=self.env["PATH"]) is not None:
            self._use_exported_host(self.script("env", timeout=60.0))
            if self.engine_answers():
                return
        self._use_exported_host(self.script("start", timeout=600.0))
        self.started_engine = True
        if not self.engine_answers():
            raise DockerEnvError(f"docker_env.sh start returned, but no engine answers at {self.env['DOCKER_HOST']}")

    def build(self) -> None:
        """Build the connector image (the base image and wheelhouse first, when missing)."""
        self.script("build", timeout=1500.0)

    def stop_if_started(self) -> None:
        """Stop the dockerd that ``ensure_engine`` started; leave any other engine running."""
        if self.started_engine:
            self.script("stop", timeout=120.0)
            self.started_engine = False

    def summary(self) -> str:
        """Seconds per docker_env.sh call, and the script's own step lines (debootstrap, wheelhouse, build)."""
        steps = []
        if self.log_path.exists():
            steps = [line for line in self.log_path.read_text().splitlines() if line.startswith("[docker_env]")]
        return "\n".join([f"docker_env.sh seconds per call: {self.timings}", *steps])

    # -- docker CLI --------------------------------------------------------------------------------

    def docker(
        self, *args: str, stdin: str | None = None, timeout: float = 300.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``docker ARGS`` against the chosen engine."""
        done = subprocess.run(
            ["docker", *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise DockerEnvError(f"docker {' '.join(args)} failed (exit {done.returncode}):\n{_tail(done.stderr)}")
        return done

    def inspect(self) -> dict[str, Any]:
        """``docker image inspect`` of the connector image."""
        inspected: list[dict[str, Any]] = json.loads(self.docker("image", "inspect", self.image).stdout)
        return inspected[0]

    def run_connector(
        self,
        args: Sequence[str],
        *,
        data_dir: Path | None = None,
        stdin: str | None = None,
        timeout: float = 300.0,
    ) -> subprocess.CompletedProcess[str]:
        """``docker run --rm -i --network host [-v DATA_DIR:/data:ro] IMAGE ARGS``, as Airbyte runs a connector.

        The host network lets the container reach servers the test started on the host's 127.0.0.1.
        Files in ``data_dir`` are made world-readable: the image runs as a non-root user.
        """
        options = ["run", "--rm", "-i", "--network", "host"]
        if data_dir is not None:
            data_dir.chmod(0o755)
            for path in data_dir.iterdir():
                path.chmod(0o644)
            options += ["-v", f"{data_dir}:/data:ro"]
        return self.docker(*options, self.image, *args, stdin=stdin, timeout=timeout, check=False)
