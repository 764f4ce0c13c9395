"""The real Zendesk Support source in a venv of its own, run inside a private network namespace.

``airbyte-source-zendesk-support`` pins airbyte-cdk 6.x, so it never goes into the project's ``.venv``:
it gets its own venv (default ``build/zendesk-source-venv``, gitignored; ``ZENDESK_SOURCE_VENV`` moves
it, e.g. to a CI cache folder), created once and reused like ``pyairbyte_env.py``'s (a stamp file
records what was installed; anything else is rebuilt).

The source hard-codes ``https://{subdomain}.zendesk.com/api/v2/``. To reach a stub instead without
touching the machine, :func:`namespace_command` wraps a shell script so that it runs under
``unshare --mount --net``: a private network namespace whose loopback is brought up, and a private
mount namespace in which a temporary hosts file (the made-up subdomain -> 127.0.0.1) is bind-mounted
over ``/etc/hosts``. The stub's self-signed CA is appended to the certifi bundle of the source's venv
(the CDK's requests session ignores ``REQUESTS_CA_BUNDLE``); :func:`trust_ca` does it idempotently.

Create it (once) and print the source's executable::

    .venv/bin/python testkit/zendesk_env.py
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from testkit.pyairbyte_env import UV_VERSION

__all__ = [
    "SOURCE_VERSION",
    "Certificates",
    "ZendeskSandbox",
    "make_certificates",
    "stub_script",
    "ZendeskSourceEnv",
    "ZendeskSourceEnvError",
    "ensure_zendesk_source_env",
    "namespace_command",
    "namespace_problem",
]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO / "build" / "zendesk-source-venv"
#: The environment variable that moves the venv (e.g. to a folder a CI cache restores).
ROOT_VARIABLE = "ZENDESK_SOURCE_VENV"
SOURCE_VERSION = "4.9.1"
REQUIREMENT = f"airbyte-source-zendesk-support=={SOURCE_VERSION}"
INSTALL_TIMEOUT = 900.0
#: Marks the CA block appended to certifi's bundle, so it is appended once.
_CA_MARK = "# destination-milvus-support test CA: "

_BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
_FOREIGN_VARIABLES = frozenset({"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PYTHON"})


class ZendeskSourceEnvError(RuntimeError):
    """The source's venv could not be created; the message names the failed step and what to check."""


@dataclass(frozen=True)
class ZendeskSourceEnv:
    """A ready venv holding the pinned Zendesk Support source."""

    root: Path

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def executable(self) -> Path:
        """The source's console script (``spec``, ``check``, ``discover``, ``read``)."""
        return self.venv / "bin" / "source-zendesk-support"

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Variables for the source: the caller's, without those of the project's venv."""
        env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _FOREIGN_VARIABLES}
        env.update(PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
        return env

    def stub_certificates(self, host: str) -> Certificates:
        """The stub's CA and server certificate for ``host``, made once and kept with the venv; the CA is trusted.

        They live next to the venv (``ca/``) so parallel test runs share one CA, and appending it to
        certifi's bundle happens once per venv and host. The CA's key never leaves that folder, and
        only this venv trusts the CA.
        """
        folder = self.root / "ca" / host
        with _locked(self.root):
            certificates = Certificates(ca=folder / "ca.pem", cert=folder / "server.pem", key=folder / "server.key")
            if not all(path.exists() for path in (certificates.ca, certificates.cert, certificates.key)):
                certificates = make_certificates(folder, host)
            self.trust_ca(certificates.ca.read_text(), name=host)
        return certificates

    def certifi_bundle(self) -> Path:
        """The CA bundle the source's requests session verifies against."""
        code = "import certifi; print(certifi.where())"
        out = subprocess.run([str(self.python), "-c", code], capture_output=True, text=True, check=True)
        return Path(out.stdout.strip())

    def trust_ca(self, ca_pem: str, name: str) -> None:
        """Append ``ca_pem`` to the venv's certifi bundle once (a different CA of the same ``name`` replaces it)."""
        bundle = self.certifi_bundle()
        text = bundle.read_text()
        block = f"{_CA_MARK}{name}\n{ca_pem.strip()}\n{_CA_MARK}{name} (end)\n"
        if block in text:
            return
        start, end = f"{_CA_MARK}{name}\n", f"{_CA_MARK}{name} (end)\n"
        if start in text and end in text:
            text = text[: text.index(start)] + text[text.index(end) + len(end) :]
        bundle.write_text(text.rstrip("\n") + "\n" + block)


def _stamp() -> dict[str, str]:
    return {
        "source": REQUIREMENT,
        "uv": UV_VERSION,
        "python": ".".join(map(str, sys.version_info[:3])),
        "base_python": str(_BASE_PYTHON.resolve()),
    }


def _root() -> Path:
    configured = os.environ.get(ROOT_VARIABLE, "").strip()
    return Path(configured).expanduser().absolute() if configured else DEFAULT_ROOT


@contextmanager
def _locked(root: Path) -> Iterator[None]:
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
        raise ZendeskSourceEnvError(
            f"Creating the Zendesk source venv: {step} did not finish in {INSTALL_TIMEOUT:.0f} s. "
            "It downloads from PyPI: check the network or proxy."
        ) from None
    if completed.returncode != 0:
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-15:])
        raise ZendeskSourceEnvError(
            f"Creating the Zendesk source venv: {step} failed (exit code {completed.returncode}). It downloads "
            f"from PyPI: check the network, proxy or index settings (pip config, UV_INDEX_URL).\n{tail}"
        )


def _create(env: ZendeskSourceEnv) -> None:
    shutil.rmtree(env.venv, ignore_errors=True)
    clean = env.environ()
    _run("python -m venv", [str(_BASE_PYTHON), "-m", "venv", str(env.venv)], clean)
    _run(f"pip install uv=={UV_VERSION}", [str(env.python), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"], clean)
    uv = str(env.venv / "bin" / "uv")
    _run(
        f"uv pip install {REQUIREMENT}",
        [uv, "pip", "install", "--quiet", "--python", str(env.python), REQUIREMENT],
        clean,
    )
    _run("source-zendesk-support spec", [str(env.executable), "spec"], clean)


def ensure_zendesk_source_env(root: Path | None = None) -> ZendeskSourceEnv:
    """The source's venv at ``root`` (default: ``$ZENDESK_SOURCE_VENV`` or ``build/zendesk-source-venv``).

    Raises ``ZendeskSourceEnvError`` naming the failed step (usually: no route to PyPI).
    """
    env = ZendeskSourceEnv((root or _root()).absolute())
    stamp_file = env.root / "stamp.json"
    with _locked(env.root):
        try:
            current = json.loads(stamp_file.read_text())
        except (OSError, ValueError):
            current = None
        if current == _stamp() and env.executable.exists():
            return env
        stamp_file.unlink(missing_ok=True)
        _create(env)
        stamp_file.write_text(json.dumps(_stamp(), indent=2) + "\n")
    return env


def namespace_problem() -> str | None:
    """Why a private mount + network namespace cannot be made here, or None when it can."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "the `unshare` (util-linux) and `ip` (iproute2) commands are needed"
    probe = subprocess.run(
        ["unshare", "--mount", "--net", "sh", "-c", "ip link set lo up && mount --bind /dev/null /dev/null"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return (
            f"`unshare --mount --net` failed (exit code {probe.returncode}: {probe.stderr.strip()[:200]}); "
            "it needs root or CAP_SYS_ADMIN (in Docker: --privileged or --cap-add SYS_ADMIN)"
        )
    return None


def namespace_command(script: str, hosts_file: Path) -> list[str]:
    """``script`` (bash) run in a fresh mount + network namespace where ``hosts_file`` is /etc/hosts.

    Only loopback exists in that namespace, so nothing inside can reach the network, and the hosts
    file is visible to the processes inside only; the machine's /etc/hosts is never written.
    """
    prelude = f"set -euo pipefail; ip link set lo up; mount --bind {shlex.quote(str(hosts_file))} /etc/hosts; "
    return ["unshare", "--mount", "--net", "bash", "-c", prelude + script]


@dataclass(frozen=True)
class Certificates:
    """A throw-away CA and a server certificate it signed for one host name."""

    ca: Path
    cert: Path
    key: Path


def make_certificates(folder: Path, host: str) -> Certificates:
    """A self-signed CA and a certificate for ``host`` (subjectAltName), made with openssl in ``folder``."""
    if shutil.which("openssl") is None:
        raise ZendeskSourceEnvError("The `openssl` command is needed to make the Zendesk stub's certificates.")
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    ext = folder / "server.ext"
    ext.write_text(f"subjectAltName=DNS:{host}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "3650",
         "-subj", "/CN=destination-milvus-support test CA"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={host}"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "3650", "-extfile", ext],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(["openssl", *map(str, step)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ZendeskSourceEnvError(f"openssl {step[0]} failed: {done.stderr.strip()[-400:]}")
    return Certificates(ca=ca, cert=cert, key=key)


def stub_script(stub: list[str], commands: str, *, ready_file: Path, timeout: float = 20.0) -> str:
    """Shell that starts ``stub`` in the background, waits for its ``ready`` line, runs ``commands``, stops it."""
    ready = shlex.quote(str(ready_file))
    tries = int(timeout * 10)
    return (
        f"rm -f {ready}; {shlex.join(stub)} > {ready} & STUB=$!; trap 'rc=$?; kill $STUB 2>/dev/null; wait $STUB 2>/dev/null || true; exit $rc' EXIT; "
        f"i=0; until grep -qs ready {ready}; do i=$((i+1)); "
        f"if [ $i -gt {tries} ] || ! kill -0 $STUB 2>/dev/null; then echo 'the Zendesk stub did not start' >&2; "
        "exit 97; fi; sleep 0.1; done; "
        f"{commands}"
    )


@dataclass(frozen=True)
class ZendeskSandbox:
    """Everything needed to run commands next to the Zendesk stub: source venv, certificates, hosts file.

    ``run`` starts the stub (``zendesk_stub.py``, in the given phase) in a fresh private namespace,
    runs a bash script there with the source and the destination, and stops the stub.
    """

    env: ZendeskSourceEnv
    work: Path
    certificates: Certificates
    hosts: Path
    stub_python: Path

    @classmethod
    def create(cls, env: ZendeskSourceEnv, work: Path, host: str, *, stub_python: Path | None = None) -> ZendeskSandbox:
        """The stub's certificates for ``host`` (its CA trusted by the source's venv) and a hosts file for it."""
        work.mkdir(parents=True, exist_ok=True)
        hosts = work / "hosts"
        hosts.write_text(f"127.0.0.1 localhost\n::1 localhost\n127.0.0.1 {host}\n")
        return cls(env, work, env.stub_certificates(host), hosts, stub_python or Path(sys.executable))

    def run(
        self, commands: str, *, phase: int, log: Path, env: Mapping[str, str] | None = None, timeout: float = 600.0
    ) -> subprocess.CompletedProcess[str]:
        """Run ``commands`` (bash, ``set -euo pipefail``) in a namespace where the stub serves ``phase``."""
        stub = [
            str(self.stub_python), str(Path(__file__).with_name("zendesk_stub.py")),
            "--cert", str(self.certificates.cert), "--key", str(self.certificates.key),
            "--phase", str(phase), "--log", str(log),
        ]  # fmt: skip
        script = stub_script(stub, commands, ready_file=log.with_name(log.name + ".ready"))
        with subprocess.Popen(
            namespace_command(script, self.hosts),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env if env is not None else self.env.environ()),
            cwd=REPO,
            start_new_session=True,  # one process group: the stub and everything the script started
        ) as process:
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def main() -> int:
    """Create the venv if needed; print the source's executable (stdout) and the time taken (stderr)."""
    started = time.monotonic()
    try:
        env = ensure_zendesk_source_env()
    except ZendeskSourceEnvError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{REQUIREMENT} venv ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(env.executable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
