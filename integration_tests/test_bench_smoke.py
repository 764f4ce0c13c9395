"""Every benchmark starts on a clean clone: ``python -m bench.<name>`` from the repository root, at its smallest size.

Milvus Lite only, the fake embedder or the OpenAI-compatible stub, nothing downloaded; Banking77 is read
from ``sample_data/banking77``. The numbers are not checked (tests never assert on times): each script
must exit 0 and print the line its result is read from. The scripts run side by side, three at a time
(each mostly waits on the phase processes it starts), so the module takes about a minute on 2 cores;
under pytest-xdist each runs when its test does, in that test's worker.
The research scripts (``bench/research``) need torch or hours: they are only started with ``--help``.
"""

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600


def _args(line: str) -> list[str]:
    return line.split()


#: benchmark[:part] -> (arguments, patterns its output must hold); ``{out}`` is a folder for files it writes.
#: The longest runs first: they start first.
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "embedding_rate:sync": (
        # 300 tickets: two embedding requests, so the storm refuses one and the sync rides it out.
        _args("--skip-vectors --records 300 --dimensions 16 --sync-repeats 1 --latency 0 --storm-retry-after 0.05"),
        [
            r"^429 storm .*: [\d.]+ s, [\d.]+x clean \(target <= 2\.5x\); [1-9]\d* 429s of \d+ requests",
            r"^tokens-per-minute limit \d+ .* utilisation [\d.]+% \(target >= 85%\)",
        ],
    ),
    "embedding_rate:vectors": (
        _args("--skip-sync --texts 16 --dimensions 16 --repeats 1"),
        [r"^vectors: 16 texts at 16 dims: .* float/base64 [\d.]+x"],
    ),
    "day2": (
        _args("--records 40 --backends lite --dims 16 --scenarios fresh,resync"),
        [
            r"^\| lite \| 16 \| resync \| [\d.]+ \| \d+ \| 0 \| [\d.]+ \| \d+ \| \d+\.\d\d \|",
            # The re-sync of unchanged records embeds nothing: the day-2 claim, at any size.
            r"^lite 16d: re-sync [\d.]+x the records/s of the fresh sync, 0 inputs embedded$",
        ],
    ),
    "throughput": (
        _args("--records 40 --backends lite --repeats 1 --flat-records 0"),
        [
            r"^\| lite \| \d+ \| \d+ \| \d+ \| \d+ \| \d+\.\d\d \| \d+\.\d\d \|$",
            r"^target: ours >= 0\.60 x raw -> lite ",
        ],
    ),
    "latency": (
        _args("--tickets 150 --articles 20 --queries 5 --backends lite"),
        [
            r"^target: SDK p50 within 1\.15x of raw \(like-for-like\) -> lite find_duplicate_tickets sdk_dense/raw_bounded \d+\.\d\d"
        ],
    ),
    "soak": (
        _args("--cycles 1 --records 5 --backends lite --freezes 0 --hangs 0"),
        [
            r"^== lite: 1 cycles, \d+ write processes",
            r"lost 0; records doubled 0; missing 0; tracebacks 0; system errors 0; unparsable lines 0$",
        ],
    ),
    "quality": (
        _args("--part ranking --embedding fake --queries 20 --tickets 200 --out {out}/quality.json"),
        [r'^  dense: \{"p@1": [\d.]+, "mrr@10": [\d.]+', r'^  hybrid: \{"p@1": [\d.]+'],
    ),
    "html_text": (
        _args("--repeats 1"),
        [r"^\| destination_milvus_support\.text \(inscriptis \+ tidy\) \| [\d,]+ \| 3 \| 4 \|$"],
    ),
}


def _run(name: str, out: Path) -> subprocess.CompletedProcess:
    args = [arg.replace("{out}", str(out)) for arg in BENCHMARKS[name][0]]
    tmp = out / f"tmp-{name.replace(':', '-')}"
    tmp.mkdir()
    command = [sys.executable, "-m", f"bench.{name.split(':')[0]}", *args]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp)},  # what a script leaves in its temporary folders goes with the test's
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a run that times out is stopped with its phases and stubs
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n(stopped after {TIMEOUT} s)"
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def bench_result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """``bench_result(name)``: the finished run of one benchmark.

    In one pytest process every selected benchmark starts when the first test asks (three at a time).
    Under pytest-xdist a worker cannot know which tests it will be sent, so each run starts when its
    test asks for it.
    """
    out = tmp_path_factory.mktemp("bench")
    started: dict[str, Future] = {}
    with ThreadPoolExecutor(max_workers=3) as pool:
        if not os.environ.get("PYTEST_XDIST_WORKER"):
            for item in request.session.items:
                name = getattr(item, "callspec", None) and item.callspec.params.get("name")
                if item.module is request.module and name and name not in started:
                    started[name] = pool.submit(_run, name, out)

        def result(name: str) -> subprocess.CompletedProcess:
            if name not in started:
                started[name] = pool.submit(_run, name, out)
            return started[name].result(timeout=TIMEOUT * 2)

        yield result
        for future in started.values():
            future.cancel()


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_a_benchmark_runs_from_the_repository_root_and_prints_its_result(name, bench_result):
    done = bench_result(name)
    report = f"{' '.join(done.args[1:])} exited {done.returncode}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    assert done.returncode == 0, report
    for pattern in BENCHMARKS[name][1]:
        assert re.search(pattern, done.stdout, re.MULTILINE), f"no line matches {pattern!r}\n{report}"


@pytest.mark.parametrize("module", ["flag_metric", "flag_models", "flag_finetune"])
def test_a_research_script_starts(module):
    shown = subprocess.run(
        [sys.executable, "-m", f"bench.research.{module}", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert "duplicate" in shown.stdout


def test_the_model_embedding_research_script_imports_without_torch():
    imported = subprocess.run(
        [sys.executable, "-c", "import bench.research.flag_models_embed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
