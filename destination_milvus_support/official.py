"""What the official Airbyte Milvus destination embedded with, so its collections are continued without mixing models.

A collection that holds no contract of this connector is taken for one the official destination
made (``MilvusIndexer.holds_contract``). Its vectors came from the model the official destination's
embedding mode always used (airbyte_cdk ``destinations/vector_db_based/embedder.py``):
``OpenAIEmbedder`` is langchain's ``OpenAIEmbeddings`` with no model set, ``text-embedding-ada-002``;
``CohereEmbedder`` is ``CohereEmbeddings(model="embed-english-light-v2.0")``. A config that would
embed with another model is refused, naming the ``embedding.model`` to set. An official config
(it has no ``model`` key) embeds with ada-002 here by default, so it continues unchanged; its
``cohere`` mode needs ``embedding.model`` set, because this connector's Cohere default is v3.

Not checked, because the config does not tell: Azure OpenAI (the deployment decides the model),
OpenAI-compatible services (``model_name`` is the official key too), and the fake, from_field and
local modes.
"""

from __future__ import annotations

from destination_milvus_support.config import (
    OFFICIAL_OPENAI_MODEL,
    CohereEmbedding,
    EmbeddingConfig,
    OpenAIEmbedding,
)

__all__ = ["OFFICIAL_COHERE_MODEL", "official_model_problems"]

#: The model of the official destination's ``cohere`` mode.
OFFICIAL_COHERE_MODEL = "embed-english-light-v2.0"


def official_model_problems(embedding: EmbeddingConfig) -> list[str]:
    """Why ``embedding`` would mix models in a collection of the official destination (empty when it would not)."""
    if isinstance(embedding, OpenAIEmbedding):
        wanted, mode = OFFICIAL_OPENAI_MODEL, "openai"
    elif isinstance(embedding, CohereEmbedding):
        wanted, mode = OFFICIAL_COHERE_MODEL, "cohere"
    else:
        return []
    if embedding.model == wanted:
        return []
    return [
        f"the collection holds no contract of this connector, so it was written by the official Airbyte "
        f"Milvus destination (or by hand), whose {mode} mode embeds with {wanted!r}: set embedding.model to "
        f"{wanted!r} to continue it without mixing two models' vectors, or write to a new collection "
        f"(indexing.collection) to use {embedding.model!r}"
    ]
