"""The Airbyte destination: spec, check and write, with every failure reported as one plain trace."""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteTraceMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConnectorSpecification,
    Status,
    TraceType,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import get_secrets, update_secrets
from pydantic import ValidationError

from destination_milvus_support.config import ConnectorConfig, FromFieldEmbedding
from destination_milvus_support.embedding import build_embedder, embedding_spec
from destination_milvus_support.errors import ConnectorConfigError, describe, to_traced_exception
from destination_milvus_support.history import refit_duplicate_flag
from destination_milvus_support.inbox import input_lines
from destination_milvus_support.keys import OWN_COLLECTION
from destination_milvus_support.messages import USAGE, emit, parse_input, read_json
from destination_milvus_support.milvus.collection import problems as collection_problems
from destination_milvus_support.milvus.schema import (
    CollectionLayout,
    analyzer_problem,
    declared_metadata_types,
    sparse_field_for,
)
from destination_milvus_support.milvus.store import MilvusStore
from destination_milvus_support.official import official_model_problems
from destination_milvus_support.processor import ACCESS_FIELDS, HISTORY_FIELDS, DocumentProcessor
from destination_milvus_support.spec import connector_specification
from destination_milvus_support.sync_modes import stream_rules
from destination_milvus_support.validation import check_metadata_fields, reserved_field_names
from destination_milvus_support.writer import Writer
from query_sdk.connection import is_local_path, quiet_milvus_logging
from query_sdk.contract import SPARSE_FIELD, CollectionContract
from query_sdk.email_text import EMAIL_CLEANING_VERSION
from query_sdk.embedders.openai import count_cl100k_tokens, count_cl100k_tokens_many
from query_sdk.errors import SupportSearchError

__all__ = ["DestinationMilvusSupport"]

log = logging.getLogger("airbyte")
#: Seconds that check waits for Milvus before calling the host unreachable.
CHECK_TIMEOUT = 10.0
#: Seconds a sync waits to connect to Milvus (pymilvus' own default): a host that accepts connections
#: and never answers fails the sync, transient, well within 30 s of its start (Python and the
#: libraries take 3 to 8 s to start on a busy worker). A healthy server answers in milliseconds.
WRITE_CONNECT_TIMEOUT = 10.0


class DestinationMilvusSupport(Destination):
    """Chunk, embed and index help-desk records into Milvus."""

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        """The connector's SPEC."""
        return connector_specification()

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """Validate config, reach Milvus and the embedding service; list every problem; create nothing.

        A Milvus Lite path that does not exist yet is not opened (that would create it): check
        only tells whether its folder exists and is writable.
        """
        problems: list[str] = []
        try:
            parsed = ConnectorConfig.model_validate(config)
        except ValidationError as error:
            return _failed([to_traced_exception(error).message or "Invalid configuration."])
        contract = None
        try:
            embedder = build_embedder(parsed.embedding, timeout=CHECK_TIMEOUT, max_retries=1)
            try:
                if embedder is not None:
                    vector = embedder.embed(["connection check"])[0]
                    if len(vector) != embedder.dimensions:
                        problems.append(
                            f"the embedding model returned {len(vector)} dimensions, not {embedder.dimensions}"
                        )
                contract = _contract(parsed, embedder, sparse_field=None)
            finally:
                if embedder is not None:
                    embedder.close()
        except SupportSearchError as error:
            problems.append(f"Embedding: {describe(error)}")
        try:
            new_lite_folder = _new_lite_folder(parsed.indexing.host)
            if new_lite_folder is not None:  # opening it would create it: only check its parent
                problems.extend(f"Milvus: {p}" for p in _new_lite_problems(new_lite_folder, parsed.indexing.db))
                if contract is not None:  # Milvus Lite has BM25: a hybrid collection would reserve its field
                    problems.extend(_reserved_name_problems(parsed, contract, bm25=True))
            else:
                store = _store(parsed, timeout=CHECK_TIMEOUT)
                try:
                    if contract is not None:
                        problems.extend(_reserved_name_problems(parsed, contract, bm25=store.capabilities.bm25))
                    description = store.describe()
                    if description is not None and contract is not None:
                        foreign = official_model_problems(parsed.embedding)
                        found = collection_problems(store.collection, description, contract, foreign=foreign)
                        problems.extend(f"Milvus: {p}" for p in found)
                finally:
                    store.close()
        except SupportSearchError as error:
            problems.append(f"Milvus: {describe(error)}")
        return _failed(problems) if problems else AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(
        self,
        config: Mapping[str, Any],
        configured_catalog: ConfiguredAirbyteCatalog,
        input_messages: Iterable[AirbyteMessage],
    ) -> Iterable[AirbyteMessage]:
        """Write the input's records; yield STATE messages once what precedes them is durable."""
        parsed = ConnectorConfig.model_validate(config)
        embedder = build_embedder(parsed.embedding)
        try:  # refused before connecting (which creates a Milvus Lite folder and the collection)
            _check_reserved_names(parsed, _contract(parsed, embedder, sparse_field=None))  # every collection's names
            rules = stream_rules(configured_catalog)  # refuses streams that would share one _ab_stream
        except ConnectorConfigError:
            if embedder is not None:
                embedder.close()
            raise
        store = _store(parsed, timeout=WRITE_CONNECT_TIMEOUT)
        try:
            capabilities = store.capabilities
            sparse = sparse_field_for(
                capabilities, wanted=parsed.indexing.hybrid_search, omit_raw_text=parsed.omit_raw_text
            )
            contract = _contract(parsed, embedder, sparse_field=sparse)
            if sparse is not None:
                problem = analyzer_problem(contract.text_language, capabilities)
                if problem:
                    raise ConnectorConfigError(f"The collection cannot be created: {problem}.")
            reserved = _check_reserved_names(parsed, contract)
            processing = parsed.processing
            mappings = processing.mappings
            metadata_types = {}
            if capabilities.nullable_fields:
                # who may see a record is kept whatever metadata_fields lists (processor.ACCESS_FIELDS)
                kept = [*ACCESS_FIELDS, *HISTORY_FIELDS]
                wanted = [*processing.metadata_fields, *kept] if processing.metadata_fields else []
                metadata_types = declared_metadata_types(configured_catalog, wanted, mappings, set(reserved))
            else:
                log.info(
                    "Milvus %s has no nullable fields; metadata is kept in the dynamic field, not typed fields.",
                    capabilities.version,
                )
            layout = CollectionLayout(
                contract=contract,
                metadata_types=metadata_types,
                with_bm25=sparse is not None,
                free_text=frozenset(mappings.get(f, f) for f in processing.text_fields),
            )
            store.prepare(layout, foreign=official_model_problems(parsed.embedding))
            processor = DocumentProcessor(
                processing,
                configured_catalog,
                embedder.token_counter() if embedder else count_cl100k_tokens,
                count_many=embedder.count_tokens_many if embedder else count_cl100k_tokens_many,
                from_field=parsed.embedding if isinstance(parsed.embedding, FromFieldEmbedding) else None,
                reserved=reserved,
                record_ids=store.kind.record_id,
            )
            writer = Writer(rules, processor, embedder, store, contract.embedding)
            yield from writer.write(input_messages)
            if embedder is not None and store.kind is OWN_COLLECTION:
                yield from refit_duplicate_flag(parsed, embedder, writer.progress)
        finally:
            store.close()
            if embedder is not None:
                embedder.close()

    def run(self, args: list[str]) -> None:
        """Entry point: print each message as a JSON line; on failure print one clean trace and exit 1."""
        if not args:  # the CDK raises a bare "No command entered." exception, with its traceback
            sys.stderr.write(USAGE)
            sys.exit(2)
        parsed = self.parse_args(args)
        quiet_milvus_logging()  # every failure is reported below, translated, as one TRACE
        try:
            for message in self._messages(parsed.command, parsed):
                emit(message)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as error:  # every failure becomes one plain trace message
            traced = to_traced_exception(error)
            emit(
                AirbyteMessage(
                    type=Type.TRACE,
                    trace=AirbyteTraceMessage(
                        type=TraceType.ERROR,
                        emitted_at=time.time() * 1000,
                        error=AirbyteErrorTraceMessage(
                            message=traced.message or "The sync failed.",
                            internal_message=traced.internal_message,
                            failure_type=traced.failure_type,
                        ),
                    ),
                )
            )
            sys.exit(1)

    def _messages(self, command: str, args: Any) -> Iterator[AirbyteMessage]:
        spec = self.spec(log)
        if command == "spec":
            yield AirbyteMessage(type=Type.SPEC, spec=spec)
            return
        config = read_json(args.config, what="config")
        update_secrets(get_secrets(spec.connectionSpecification, config))
        if command == "check":
            yield AirbyteMessage(type=Type.CONNECTION_STATUS, connectionStatus=self.check(log, config))
            return
        catalog_json = read_json(args.catalog, what="catalog")
        try:
            catalog = ConfiguredAirbyteCatalogSerializer.load(catalog_json)
        except Exception:
            raise ConnectorConfigError(
                f"The catalog file {args.catalog} is not a configured Airbyte catalog."
            ) from None
        yield from self.write(config, catalog, parse_input(input_lines(sys.stdin)))


def _store(config: ConnectorConfig, *, timeout: float) -> MilvusStore:
    indexing = config.indexing
    return MilvusStore(
        uri=indexing.host,
        token=indexing.token(),
        db=indexing.db,
        collection=indexing.collection,
        omit_raw_text=config.omit_raw_text,
        timeout=timeout,
    )


def _new_lite_folder(host: str) -> Path | None:
    """The Milvus Lite data path of ``host`` when it does not exist yet (None for servers and existing paths)."""
    if not is_local_path(host):
        return None
    path = Path(host.strip()).expanduser()
    return None if path.exists() else path


def _new_lite_problems(path: Path, db: str) -> list[str]:
    """Why the first sync could not create Milvus Lite data at ``path`` (empty when it could)."""
    if db not in ("", "default"):
        return [f"the database {db!r} does not exist: new Milvus Lite data has only the default one (indexing.db)"]
    parent = path.resolve().parent
    if not parent.is_dir():
        return [f"the folder {parent} for the Milvus Lite data does not exist (indexing.host)"]
    if not os.access(parent, os.W_OK | os.X_OK):
        return [f"the folder {parent} is not writable, so the Milvus Lite data cannot be created (indexing.host)"]
    return []


def _contract(config: ConnectorConfig, embedder: Any, *, sparse_field: str | None) -> CollectionContract:
    return CollectionContract(
        embedding=embedding_spec(config.embedding, embedder),
        metric="COSINE",
        text_field=config.indexing.text_field,
        vector_field=config.indexing.vector_field,
        sparse_field=sparse_field,
        email_cleaning=EMAIL_CLEANING_VERSION if config.processing.email_text_fields else None,
        text_language=None if config.indexing.text_language == "english" else config.indexing.text_language,
    )


def _check_reserved_names(config: ConnectorConfig, contract: CollectionContract) -> frozenset[str]:
    """Refuse metadata fields that would take a name ``contract``'s collection reserves; return those names."""
    reserved = reserved_field_names(contract)
    check_metadata_fields(config.processing.metadata_fields, config.processing.mappings, reserved)
    return reserved


def _reserved_name_problems(config: ConnectorConfig, contract: CollectionContract, *, bm25: bool) -> list[str]:
    """For ``check``: what ``write`` would refuse in the metadata fields, with the BM25 field a sync would add."""
    hybrid = config.indexing.hybrid_search and not config.omit_raw_text and bm25
    try:
        _check_reserved_names(config, replace(contract, sparse_field=SPARSE_FIELD) if hybrid else contract)
    except ConnectorConfigError as error:
        return [str(error)]
    return []


def _failed(problems: list[str]) -> AirbyteConnectionStatus:
    return AirbyteConnectionStatus(status=Status.FAILED, message=" | ".join(problems))
