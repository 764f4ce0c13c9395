"""Does a stronger embedding model make the duplicate flag hold on new kinds of request? (issue 10)

An experiment, not part of query_sdk. Runs bench/quality.py's ``evaluate_flag`` (connector sync into Milvus Lite, ``find_duplicate_tickets``,
same chunking, same long-request pieces and fusion, same ``calibrate``) on the same
``bench/flag_sets.py`` sets. Only the vectors change:

  record  -- MiniLM (the project's LocalEmbedder, the control); also records every text the pipeline
             embeds, by role (passage = ticket chunks at sync, query = request pieces at search),
             into texts.json. Chunking and request splitting use MiniLM's tokenizer (254 tokens) for
             every model, so all models see exactly the same texts.
  score M -- LocalEmbedder.embed_batch replaced by a lookup into emb/M_{passage,query}.npy
             (computed by bench/research/flag_models_embed.py in the models' own venv); LOCAL_MODELS'
             dimensions patched.

From the repository root:

    .venv/bin/python -m bench.research.flag_models record [--sets short,long_both,long_off]
    OTHER_VENV/bin/python -m bench.research.flag_models_embed mpnet|e5      # see that file for the models
    .venv/bin/python -m bench.research.flag_models score mpnet|e5_qp|e5_qq
    .venv/bin/python -m bench.research.flag_models table

Files go to $TMPDIR/flag_models. Results and the verdict: bench/research/README.md, "The duplicate flag on
held-out kinds of request".
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import quality
from bench.flag_sets import long_set, short_set
from query_sdk import calibrate
from query_sdk.embedders import local as local_mod

HERE = Path(tempfile.gettempdir()) / "flag_models"
SETS = {"short": (short_set, "off"), "long_both": (long_set, "both"), "long_off": (long_set, "off")}
ROLE = ["query"]
_orig_sync = quality.sync


def _sync(*args, **kwargs):
    ROLE[0] = "passage"
    try:
        return _orig_sync(*args, **kwargs)
    finally:
        ROLE[0] = "query"


quality.sync = _sync


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def summarise(report: dict) -> dict:
    scored = [(d["scores"][0] if d["scores"] else -1.0, d["has"]) for d in report["detail"]]
    best = calibrate(scored)
    at95 = report["at_recall_0.95"]
    return {
        "requests": report["requests"], "held_out": report["held_out_requests"], "tickets": report["tickets"],
        "p@1": report["right_ticket_first"],
        "thr95": at95["threshold"], "recall95": at95["recall"], "ffr95": at95["false_flag_rate"],
        "best_thr": round(best.threshold, 4), "best_f1": round(best.f1, 4),
        "best_p": round(best.precision, 4), "best_r": round(best.recall, 4),
        "best_ffr": round(best.false_flag_rate, 4) if best.false_flag_rate is not None else None,
        "half_calibrated_other_half": report["calibrated_on_half"]["other_half"],
        "search_seconds": report["search_seconds"],
    }  # fmt: skip


def run(model: str, sets: list[str]) -> dict:
    out: dict = {"model": model, "sets": {}}
    db = str(Path(tempfile.mkdtemp(prefix=f"flagmodels-{model}-")) / "milvus.db")
    for name in sets:
        builder, cleaning = SETS[name]
        t0, c0 = time.monotonic(), _cpu()
        report = quality.evaluate_flag(db, builder(), embedding={"mode": "local"}, cleaning=cleaning)
        s = summarise(report)
        s["wall_s"], s["cpu_s"] = round(time.monotonic() - t0, 1), round(_cpu() - c0, 1)
        out["sets"][name] = s
        (HERE / f"detail_{model}_{name}.json").write_text(json.dumps(report["detail"]))
        print(model, name, json.dumps(s), flush=True)
    return out


def record(sets: list[str]) -> None:
    seen: dict[str, dict[str, None]] = {"passage": {}, "query": {}}
    timing = {"wall": 0.0, "cpu": 0.0, "texts": 0}
    original = local_mod.LocalEmbedder.embed_batch

    def embed_batch(self, texts):
        for t in texts:
            seen[ROLE[0]][t] = None
        t0, c0 = time.monotonic(), _cpu()
        vectors = original(self, texts)
        timing["wall"] += time.monotonic() - t0
        timing["cpu"] += _cpu() - c0
        timing["texts"] += len(texts)
        return vectors

    local_mod.LocalEmbedder.embed_batch = embed_batch
    out = run("minilm", sets)
    out["embed_timing"] = {k: round(v, 1) for k, v in timing.items()}
    (HERE / "texts.json").write_text(json.dumps({k: list(v) for k, v in seen.items()}))
    (HERE / "results_minilm.json").write_text(json.dumps(out, indent=1))
    print("embedding:", out["embed_timing"], {k: len(v) for k, v in seen.items()})


def score(model: str, sets: list[str]) -> None:
    texts = json.loads((HERE / "texts.json").read_text())
    base, _, variant = model.partition("_")  # e5_qp: tickets as passage, requests as query; e5_qq: both query
    files = {"passage": "passage", "query": "query"}
    if variant == "qq":
        files["passage"] = "passage_as_query"
    lookup: dict[str, dict[str, np.ndarray]] = {}
    for role, stem in files.items():
        vectors = np.load(HERE / "emb" / f"{base}_{stem}.npy")
        assert len(vectors) == len(texts[role])
        lookup[role] = dict(zip(texts[role], vectors))
    dims = vectors.shape[1]
    local_mod.LOCAL_MODELS["all-MiniLM-L6-v2"] = (dims, 256)  # same dict the connector's config reads

    def embed_batch(self, batch):
        return [lookup[ROLE[0]][t].tolist() for t in batch]

    local_mod.LocalEmbedder.embed_batch = embed_batch
    out = run(model, sets)
    out["embed_timing"] = json.loads((HERE / "emb" / f"{base}_timing.json").read_text())
    (HERE / f"results_{model}.json").write_text(json.dumps(out, indent=1))


def table() -> None:
    print("model | set | P@1 | thr@R.95 | FFR@R.95 | best-F1 thr | F1 (P/R) | FFR@best-F1 | embed wall/CPU s")
    for path in sorted(HERE.glob("results_*.json")):
        r = json.loads(path.read_text())
        t = r["embed_timing"]
        for name, s in r["sets"].items():
            print(f"{r['model']} | {name} | {s['p@1']:.3f} | {s['thr95']:.3f} | {s['ffr95']:.3f} | {s['best_thr']:.3f} | "
                  f"{s['best_f1']:.3f} ({s['best_p']:.3f}/{s['best_r']:.3f}) | {s['best_ffr']:.3f} | "
                  f"{t.get('wall')}/{t.get('cpu')}")  # fmt: skip


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0)
    HERE.mkdir(parents=True, exist_ok=True)
    chosen = args[args.index("--sets") + 1].split(",") if "--sets" in args else list(SETS)
    if args[0] == "record":
        record(chosen)
    elif args[0] == "score":
        score(args[1], chosen)
    else:
        table()
