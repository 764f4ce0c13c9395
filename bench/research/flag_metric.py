"""Does a metric learned from an app's labelled history make the duplicate flag hold on new kinds of request?

An experiment (issue 10, "a duplicate flag people can trust"), not part of query_sdk: the open-set
re-scoring of speaker verification (WCCN, LDA with shrinkage, optional centring), learned from the
tickets and half of the requests of the indexed intents (what an app's merged tickets would give),
optionally with Banking77's whole train split, then applied to the top-20 tickets of each request.
Same data sets as ``python -m bench.quality --part flag`` (``bench/flag_sets.py``); held-out intents never
enter training. Results and the verdict: bench/research/README.md, "The duplicate flag on held-out kinds of
request".

    .venv/bin/python -m bench.research.flag_metric   # from the repository root; about 14 min on 2 cores

Embeddings are cached in $TMPDIR/flag_metric/cache_*.npz; results.json is written there too.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.flag_sets import long_set, short_set
from query_sdk.email_text import clean_email
from query_sdk.embedders.local import LocalEmbedder
from sample_data.build import DEFAULT_BANKING77_DIR, load_banking77

HERE = Path(tempfile.gettempdir()) / "flag_metric"
TRAIN_CSV = DEFAULT_BANKING77_DIR
K = 20
SEEDS = [0, 1, 2]
EMB = LocalEmbedder()
LIMIT = EMB.max_input_tokens  # 254


def fit(text: str) -> tuple[str, bool]:
    """Truncate to ~200 words (fewer if still over the model's input) when too long."""
    if EMB.count_tokens(text) <= LIMIT:
        return text, False
    words = text.split()
    n = 200
    while EMB.count_tokens(" ".join(words[:n])) > LIMIT:
        n -= 10
    return " ".join(words[:n]), True


def embed(texts: list[str]) -> np.ndarray:
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for s in range(0, len(order), 32):
        idx = order[s : s + 32]
        out[idx] = np.asarray(EMB.embed_batch([texts[i] for i in idx]), dtype=np.float32)
    return out


def set_texts(name: str) -> dict:
    """The texts embedded for a flag set (long: e-mail cleaned; both: fitted to the model), with labels.

    Also used by flag_finetune.py, so both experiments see the same texts.
    """
    fs = short_set() if name == "short" else long_set()
    clean = (lambda t: clean_email(t)) if name == "long" else (lambda t: t)
    t_fit = [fit(f"subject: {t['subject']}\ndescription: {clean(t['description'])}") for t in fs.tickets]
    r_fit = [fit(clean(t)) for t, _ in fs.requests]
    return {
        "t_texts": [t for t, _ in t_fit],
        "t_int": [fs.ticket_intent[t["id"]] for t in fs.tickets],
        "r_texts": [t for t, _ in r_fit],
        "r_int": [i for _, i in fs.requests],
        "held": sorted(fs.held_out),
        "truncated": {"tickets": sum(f for _, f in t_fit), "requests": sum(f for _, f in r_fit)},
    }


def load_set(name: str) -> dict:
    path = HERE / f"cache_{name}.npz"
    texts = set_texts(name)
    t_int, r_int = texts["t_int"], texts["r_int"]
    trunc = texts["truncated"]
    if path.exists():
        z = np.load(path)
        T, R = z["T"], z["R"]
    else:
        T, R = embed(texts["t_texts"]), embed(texts["r_texts"])
        np.savez(path, T=T, R=R)
    return {
        "name": name,
        "T": T,
        "R": R,
        "t_int": np.array(t_int),
        "r_int": np.array(r_int),
        "held": set(texts["held"]),
        "truncated": trunc,
        "n_tickets": len(T),
        "n_requests": len(R),
    }


def load_train() -> tuple[np.ndarray, np.ndarray]:
    path = HERE / "cache_train.npz"
    rows = load_banking77(TRAIN_CSV, split="train")
    labels = np.array([c for _, c in rows])
    if path.exists():
        return np.load(path)["X"], labels
    X = embed([" ".join(t.split()) for t, _ in rows])
    np.savez(path, X=X)
    return X, labels


# ---------------------------------------------------------------- transforms
def scatter(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu = X.mean(0)
    D = X.shape[1]
    Sw, Sb = np.zeros((D, D)), np.zeros((D, D))
    for c in np.unique(y):
        Xc = X[y == c]
        mc = Xc.mean(0)
        Sw += (Xc - mc).T @ (Xc - mc)
        Sb += len(Xc) * np.outer(mc - mu, mc - mu)
    return Sw / len(X), Sb / len(X)


def inv_sqrt(A: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(A)
    return (V / np.sqrt(np.clip(w, 1e-12, None))) @ V.T


def make_transform(X, y, kind, lam, d=None, centre=False):
    """Returns f(Z) -> transformed rows. lam is relative to the mean eigenvalue of Sw (trace/D)."""
    X = X.astype(np.float64)
    m = X.mean(0) if centre else np.zeros(X.shape[1])
    Sw, Sb = scatter(X - m, y)
    reg = Sw + lam * (np.trace(Sw) / Sw.shape[0]) * np.eye(Sw.shape[0])
    Wi = inv_sqrt(reg)
    if kind == "wccn":
        P = Wi
    else:  # LDA: generalised eigvecs of (Sb, reg) via whitening; columns are reg-orthonormal
        w, V = np.linalg.eigh(Wi @ Sb @ Wi)
        top = np.argsort(w)[::-1][:d]
        P = Wi @ V[:, top]
    return lambda Z: (Z.astype(np.float64) - m) @ P


def unit(Z):
    return Z / np.clip(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12, None)


def score(Rq, T, t_int, f=None):
    """Top-K by raw cosine, re-scored in transformed space. Returns best score, intent of best."""
    raw = Rq @ T.T
    top = np.argsort(-raw, axis=1)[:, :K]
    if f is None:
        s = np.take_along_axis(raw, top, 1)
    else:
        q, t = unit(f(Rq)), unit(f(T))
        s = np.einsum("nd,nkd->nk", q, t[top])
    b = s.argmax(1)
    return s[np.arange(len(s)), b], t_int[top[np.arange(len(s)), b]]


# ---------------------------------------------------------------- thresholds / metrics
def thr_at_recall(pos_scores: np.ndarray, recall=0.95) -> float:
    """Strictest threshold flagging at least `recall` of positives (flag when score >= thr)."""
    s = np.sort(pos_scores)[::-1]
    need = int(np.ceil(recall * len(s)))
    return float(s[need - 1])


def metrics(s, has, right, thr):
    flag = s >= thr
    return {"recall": float(flag[has].mean()), "ffr": float(flag[~has].mean()), "right_first": float(right[has].mean())}


def run_split(ds, seed, method, train_extra=None):
    has_all = np.array([i not in ds["held"] for i in ds["r_int"]])
    pos = np.flatnonzero(has_all)
    neg = np.flatnonzero(~has_all)
    perm_list = [int(i) for i in pos]
    random.Random(seed).shuffle(perm_list)
    perm = np.array(perm_list)
    hist, ev_pos = perm[: len(perm) // 2], perm[len(perm) // 2 :]
    ev = np.concatenate([ev_pos, neg])
    T, R, ti, ri = ds["T"], ds["R"], ds["t_int"], ds["r_int"]

    def train_f(hidx):
        if method is None:
            return None
        X = np.vstack([T, R[hidx]] + ([train_extra[0]] if train_extra is not None else []))
        y = np.concatenate([ti, ri[hidx]] + ([train_extra[1]] if train_extra is not None else []))
        return make_transform(X, y, **method)

    f = train_f(hist)
    # threshold (a) in-sample on history; (b) 5-fold cross-fit within history
    hs, _ = score(R[hist], T, ti, f)
    thr_in = thr_at_recall(hs)
    if method is None:
        thr_cf = thr_in
    else:
        folds = np.array_split(hist, 5)
        cf = []
        for k in range(5):
            fk = train_f(np.concatenate([folds[j] for j in range(5) if j != k]))
            cf.append(score(R[folds[k]], T, ti, fk)[0])
        thr_cf = thr_at_recall(np.concatenate(cf))
    es, eint = score(R[ev], T, ti, f)
    has, right = has_all[ev], eint == ri[ev]
    thr_or = thr_at_recall(es[has])
    return {
        "in": metrics(es, has, right, thr_in),
        "cf": metrics(es, has, right, thr_cf),
        "oracle_ffr": metrics(es, has, right, thr_or)["ffr"],
        "n_eval_pos": int(has.sum()),
        "n_neg": int((~has).sum()),
        "n_hist": len(hist),
    }


def describe(m):
    if m is None:
        return "raw cosine"
    s = ("centre+" if m.get("centre") else "") + m["kind"]
    s += f" lam={m['lam']}"
    if m.get("d"):
        s += f" d={m['d']}"
    return s


def main():
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()  # no options: --help only
    HERE.mkdir(parents=True, exist_ok=True)
    sets = {n: load_set(n) for n in ("short", "long")}
    for n, ds in sets.items():
        print(n, "tickets", ds["n_tickets"], "requests", ds["n_requests"], "truncated", ds["truncated"], flush=True)
    Xtr, ytr = load_train()
    methods = [None]
    for centre in (False, True):
        for lam in (0.01, 0.1, 1.0, 10.0):
            methods.append({"kind": "wccn", "lam": lam, "centre": centre})
            for d in (32, 64, 128):
                methods.append({"kind": "lda", "lam": lam, "d": d, "centre": centre})
    results = []
    for n, ds in sets.items():
        keep = ~np.isin(ytr, list(ds["held"]))
        extra = (Xtr[keep], ytr[keep])
        for variant, ex in (("history", None), ("history+train.csv", extra)):
            for m in methods:
                if m is None and variant != "history":
                    continue
                per = [run_split(ds, s, m, ex) for s in SEEDS]
                row = {"set": n, "variant": variant, "method": describe(m), "seeds": per}
                for key in ("in", "cf"):
                    for f in ("recall", "ffr", "right_first"):
                        row[f"{key}_{f}"] = float(np.mean([p[key][f] for p in per]))
                row["oracle_ffr"] = float(np.mean([p["oracle_ffr"] for p in per]))
                results.append(row)
                print(
                    f"{n:5s} {variant:18s} {row['method']:26s} | thr@hist: rec {row['in_recall']:.3f} "
                    f"FFR {row['in_ffr']:.3f} | thr@cross-fit: rec {row['cf_recall']:.3f} FFR {row['cf_ffr']:.3f} "
                    f"| right1 {row['in_right_first']:.3f} | oracle FFR {row['oracle_ffr']:.3f}",
                    flush=True,
                )
    (HERE / "results.json").write_text(
        json.dumps({"truncated": {n: d["truncated"] for n, d in sets.items()}, "results": results}, indent=1)
    )


if __name__ == "__main__":
    sys.exit(main())
