"""The Airbyte destination: spec, check and write, with every failure reported as one plain trace."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import orjson
from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
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
from destination_milvus_support.errors import ConnectorConfigError, to_traced_exception
from destination_milvus_support.inbox import input_lines, line_problem
from destination_milvus_support.indexer import MilvusIndexer
from destination_milvus_support.official import official_model_problems
from destination_milvus_support.processor import DocumentProcessor
from destination_milvus_support.schema import declared_metadata_types, sparse_field_for
from destination_milvus_support.spec import connector_specification
from destination_milvus_support.sync_modes import stream_rules
from destination_milvus_support.validation import check_metadata_fields, reserved_field_names
from destination_milvus_support.writer import Writer
from query_sdk.contract import SPARSE_FIELD, CollectionContract
from query_sdk.email_text import EMAIL_CLEANING_VERSION
from query_sdk.embedders.openai import count_cl100k_tokens, count_cl100k_tokens_many
from query_sdk.errors import SupportSearchError
from query_sdk.layout import CollectionLayout
from query_sdk.milvus import is_local_path, quiet_milvus_logging

__all__ = ["DestinationMilvusSupport"]

log = logging.getLogger("airbyte")
#: Seconds that check waits for Milvus before calling the host unreachable.
CHECK_TIMEOUT = 10.0
#: Seconds a sync waits to connect to Milvus (pymilvus' own default): a host that accepts connections
#: and never answers fails the sync, transient, well within 30 s of its start (Python and the
#: libraries take 3 to 8 s to start on a busy worker). A healthy server answers in milliseconds.
WRITE_CONNECT_TIMEOUT = 10.0
#: Every digit as "0", so one substring search finds a run of digits (a regular expression costs 10x more).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: orjson keeps integers from -2**63 to 2**64 - 1 exact and rounds wider ones to floats: 20 digits, or a
#: minus and 19 digits, may be one (or part of a string); such lines are parsed again with the standard
#: library, whose integers are exact.
_TWENTY_DIGITS, _MINUS_NINETEEN_DIGITS = b"0" * 20, b"-" + b"0" * 19


def _may_hold_a_wide_integer(line: bytes) -> bool:
    digits = line.translate(_DIGITS_AS_ZERO)
    return _TWENTY_DIGITS in digits or _MINUS_NINETEEN_DIGITS in digits


#: What ``destination-milvus-support`` (or ``python main.py``) prints when run without a command.
_USAGE = (
    "usage: destination-milvus-support {spec,check,write} ...\n"
    "  spec                                     print the connector's configuration specification\n"
    "  check --config CONFIG.json               check the configuration, the Milvus server and the embedding service\n"
    "  write --config CONFIG.json --catalog CONFIGURED_CATALOG.json < messages.jsonl\n"
    "                                           sync the Airbyte messages read from stdin\n"
)


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
            problems.append(f"Embedding: {error}")
        try:
            new_lite_folder = _new_lite_folder(parsed.indexing.host)
            if new_lite_folder is not None:  # opening it would create it: only check its parent
                problems.extend(f"Milvus: {p}" for p in _new_lite_problems(new_lite_folder, parsed.indexing.db))
                if contract is not None:  # Milvus Lite has BM25: a hybrid collection would reserve its field
                    problems.extend(_reserved_name_problems(parsed, contract, bm25=True))
            else:
                indexer = _indexer(parsed, timeout=CHECK_TIMEOUT)
                try:
                    if contract is not None:
                        problems.extend(_reserved_name_problems(parsed, contract, bm25=indexer.capabilities.bm25))
                    description = indexer.describe()
                    if description is not None and contract is not None:
                        foreign = official_model_problems(parsed.embedding)
                        found = indexer.problems(description, contract, foreign=foreign)
                        problems.extend(f"Milvus: {p}" for p in found)
                finally:
                    indexer.close()
        except SupportSearchError as error:
            problems.append(f"Milvus: {error}")
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
            stream_rules(configured_catalog)  # streams that would share one _ab_stream
        except ConnectorConfigError:
            if embedder is not None:
                embedder.close()
            raise
        indexer = _indexer(parsed, timeout=WRITE_CONNECT_TIMEOUT)
        try:
            sparse = sparse_field_for(
                indexer.capabilities, wanted=parsed.indexing.hybrid_search, omit_raw_text=parsed.omit_raw_text
            )
            contract = _contract(parsed, embedder, sparse_field=sparse)
            reserved = _check_reserved_names(parsed, contract)
            processing = parsed.processing
            mappings = {m.from_field: m.to_field for m in processing.field_name_mappings}
            metadata_types = (
                declared_metadata_types(configured_catalog, processing.metadata_fields, mappings, set(reserved))
                if indexer.capabilities.nullable_fields
                else {}
            )
            if not indexer.capabilities.nullable_fields:
                log.info(
                    "Milvus %s has no nullable fields; metadata is kept in the dynamic field, not typed fields.",
                    indexer.capabilities.version,
                )
            layout = CollectionLayout(
                contract=contract,
                metadata_types=metadata_types,
                with_bm25=sparse is not None,
                free_text=frozenset(mappings.get(f, f) for f in processing.text_fields),
            )
            indexer.prepare(layout, foreign=official_model_problems(parsed.embedding))
            processor = DocumentProcessor(
                processing,
                configured_catalog,
                embedder.token_counter() if embedder else count_cl100k_tokens,
                count_many=embedder.count_tokens_many if embedder else count_cl100k_tokens_many,
                from_field=parsed.embedding if isinstance(parsed.embedding, FromFieldEmbedding) else None,
                reserved=reserved,
                official_ids=not indexer.holds_contract,
            )
            yield from Writer(configured_catalog, processor, embedder, indexer).write(input_messages)
        finally:
            indexer.close()
            if embedder is not None:
                embedder.close()

    def run(self, args: list[str]) -> None:
        """Entry point: print each message as a JSON line; on failure print one clean trace and exit 1."""
        if not args:  # the CDK raises a bare "No command entered." exception, with its traceback
            sys.stderr.write(_USAGE)
            sys.exit(2)
        parsed = self.parse_args(args)
        quiet_milvus_logging()  # every failure is reported below, translated, as one TRACE
        try:
            for message in self._messages(parsed.command, parsed):
                _emit(message)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as error:  # every failure becomes one plain trace message
            traced = to_traced_exception(error)
            _emit(
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
        config = _read_json(args.config, what="config")
        update_secrets(get_secrets(spec.connectionSpecification, config))
        if command == "check":
            yield AirbyteMessage(type=Type.CONNECTION_STATUS, connectionStatus=self.check(log, config))
            return
        catalog_json = _read_json(args.catalog, what="catalog")
        try:
            catalog = ConfiguredAirbyteCatalogSerializer.load(catalog_json)
        except Exception:
            raise ConnectorConfigError(
                f"The catalog file {args.catalog} is not a configured Airbyte catalog."
            ) from None
        yield from self.write(config, catalog, _parse_input(input_lines(sys.stdin)))


def _indexer(config: ConnectorConfig, *, timeout: float) -> MilvusIndexer:
    indexing = config.indexing
    return MilvusIndexer(
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
    )


def _check_reserved_names(config: ConnectorConfig, contract: CollectionContract) -> frozenset[str]:
    """Refuse metadata fields that would take a name ``contract``'s collection reserves; return those names."""
    reserved = reserved_field_names(contract)
    mappings = {m.from_field: m.to_field for m in config.processing.field_name_mappings}
    check_metadata_fields(config.processing.metadata_fields, mappings, reserved)
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


def _read_json(path: str, *, what: str) -> Any:
    try:
        with open(path, "rb") as handle:
            return orjson.loads(handle.read())
    except OSError:
        raise ConnectorConfigError(f"The {what} file {path} cannot be read.") from None
    except orjson.JSONDecodeError:
        raise ConnectorConfigError(f"The {what} file {path} is not valid JSON.") from None


def _parse_input(lines: Iterable[bytes]) -> Iterator[AirbyteMessage]:
    """Parse raw stdin lines; a malformed line stops the sync (skipping it could lose a record).

    The source sent it, so it is a config error naming the line number and the problem, never its content.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise _bad_line(number, line_problem(line, error)) from None
        if _may_hold_a_wide_integer(line):  # orjson rounds integers beyond 64 bits to floats; json keeps them exact
            with contextlib.suppress(ValueError, RecursionError):
                data = json.loads(line)
        try:
            message = AirbyteMessageSerializer.load(data)
        except Exception:
            raise _bad_line(number, "is not a valid Airbyte message") from None
        if (message.type == Type.RECORD and message.record is None) or (
            message.type == Type.STATE and message.state is None
        ):
            raise _bad_line(number, f"is a {message.type.value} message without its body")
        yield message


def _bad_line(number: int, problem: str) -> ConnectorConfigError:
    return ConnectorConfigError(
        f"Input line {number} {problem}; the sync stopped there.",
        guidance="The source sent a malformed message: fix or update the source connector, then retry.",
    )


def _emit(message: AirbyteMessage) -> None:
    data = AirbyteMessageSerializer.dump(message)
    try:
        line = orjson.dumps(data).decode()
    except orjson.JSONEncodeError:  # a STATE the source sent with an integer beyond 64 bits: passed on exact
        line = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
