"""Preparing the collection: create it, or check that an existing one can take this config's rows, then read its layout.

``problems`` is also what ``check`` reports about an existing collection. ``Target`` is what a sync
learns from the collection's description: its ``CollectionKind`` (this connector's collection, or
the official destination's) and where its rows keep their fields.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from pymilvus import DataType, MilvusClient

from destination_milvus_support.errors import ConnectorConfigError
from destination_milvus_support.keys import OWN_COLLECTION, CollectionKind, official_collection
from destination_milvus_support.milvus.calls import CALL_TIMEOUT, SLOW_CALL_TIMEOUT
from destination_milvus_support.milvus.schema import (
    CHUNK_HASH_FIELD,
    RECORD_DIGEST_FIELD,
    RECORD_HASH_FIELD,
    CollectionLayout,
)
from query_sdk.capabilities import ServerCapabilities
from query_sdk.collection import VECTOR_TYPES
from query_sdk.contract import GENERATION_FIELD, CollectionContract
from query_sdk.milvus_errors import MILVUS_CALL_ERRORS

__all__ = ["Target", "create_or_check", "problems"]

log = logging.getLogger("airbyte")
#: A VARCHAR primary key no row has (ours are SHA-256 hex digits).
_NO_SUCH_KEY = "~no-such-row~"


@dataclass(frozen=True)
class Target:
    """How an existing (or new) collection wants its rows."""

    kind: CollectionKind
    #: Declared scalar fields (not the key, text or vectors) and their types.
    declared: Mapping[str, DataType]
    dynamic: bool
    pk_field: str
    vector_field: str
    text_field: str
    #: ``_ab_record_hash`` is a field (this connector's collections): record lookups filter on it.
    record_hash_declared: bool
    #: ``_ab_generation_id`` is a field: overwrite deletes other generations by expression.
    generation_declared: bool
    #: The chunk hash and record digest have declared fields, or can live in the dynamic field.
    hashes_stored: bool
    #: A primary key no row has: what a no-op delete or a waiting read names.
    absent_key: int | str

    @classmethod
    def of(cls, description: Mapping[str, Any], contract: CollectionContract) -> Target:
        """Read the target off ``describe_collection`` output."""
        fields = {str(f["name"]): f for f in description.get("fields", [])}
        pk = next(f for f in fields.values() if f.get("is_primary"))
        dynamic = bool(description.get("enable_dynamic_field"))
        if CollectionContract.from_description(description) is not None:
            kind = OWN_COLLECTION
        else:
            kind = official_collection(assigned_keys=bool(description.get("auto_id")))
        return cls(
            kind=kind,
            declared={
                name: f["type"]
                for name, f in fields.items()
                if not f.get("is_primary")
                and f["type"] not in VECTOR_TYPES
                and f["type"] != DataType.SPARSE_FLOAT_VECTOR
                and name != contract.text_field
            },
            dynamic=dynamic,
            pk_field=str(pk["name"]),
            vector_field=contract.vector_field,
            text_field=contract.text_field,
            record_hash_declared=RECORD_HASH_FIELD in fields,
            generation_declared=GENERATION_FIELD in fields,
            hashes_stored=(CHUNK_HASH_FIELD in fields and RECORD_DIGEST_FIELD in fields) or dynamic,
            absent_key=-1 if pk.get("type") == DataType.INT64 else _NO_SUCH_KEY,
        )


def problems(
    name: str, description: Mapping[str, Any], contract: CollectionContract, *, foreign: Sequence[str] = ()
) -> list[str]:
    """Why an existing collection cannot take this config's rows (empty when it can).

    ``foreign`` are the problems that apply only to a collection without a stored contract
    (``official.official_model_problems``). Such a collection also refuses e-mail cleaning
    (``processing.email_text_fields``): only a contract records it.
    """
    found: list[str] = []
    fields = {str(f["name"]): f for f in description.get("fields", [])}
    vector = fields.get(contract.vector_field)
    if vector is None or vector.get("type") not in VECTOR_TYPES:
        found.append(
            f"collection {name!r} has no vector field {contract.vector_field!r} (set indexing.vector_field to its name)"
        )
    else:
        dim = int(vector.get("params", {}).get("dim", 0))
        if dim != contract.embedding.dimensions:
            found.append(
                f"collection {name!r} holds vectors of {dim} dimensions, but the embedding model gives "
                f"{contract.embedding.dimensions} (change the model or the collection)"
            )
    stored = CollectionContract.from_description(description)
    if stored is None:
        found += [f"collection {name!r}: {problem}" for problem in foreign]
        if contract.email_cleaning is not None:
            # The cleaning is recorded in the contract only: without one, query_sdk would not clean
            # requests to match, and a later sync that cleans none could not be refused.
            found.append(
                f"collection {name!r} holds no contract of this connector (the official Airbyte Milvus destination "
                "made it, or it was made by hand), so e-mail cleaning cannot be recorded in it and searches would "
                "not clean requests to match: leave processing.email_text_fields empty for this collection, or "
                "sync into a new collection (indexing.collection)"
            )
    else:
        if (stored.embedding.mode, stored.embedding.model) != (contract.embedding.mode, contract.embedding.model):
            found.append(
                f"collection {name!r} was built with {stored.embedding.mode} model {stored.embedding.model!r}, not "
                f"{contract.embedding.model!r}: vectors would not be comparable"
            )
        # A newer version of the rules is no problem: the sync re-cleans (the pipeline's fingerprint changed).
        if (stored.email_cleaning is None) != (contract.email_cleaning is None):
            built = "without e-mail cleaning" if stored.email_cleaning is None else "with e-mail cleaning"
            now = "cleans none" if contract.email_cleaning is None else "cleans e-mail fields"
            found.append(
                f"collection {name!r} was built {built} and this config {now}: cleaned and uncleaned chunks would "
                "not compare (set processing.email_text_fields as the collection was built, or sync into a new "
                "collection)"
            )
    if contract.text_field not in fields and not description.get("enable_dynamic_field"):
        found.append(f"collection {name!r} has no text field {contract.text_field!r}")
    pk = next((f for f in fields.values() if f.get("is_primary")), None)
    if pk and not description.get("auto_id") and pk.get("type") != DataType.VARCHAR:
        found.append(f"collection {name!r} has a non-text primary key without auto_id")
    return found


def create_or_check(
    client: MilvusClient,
    name: str,
    layout: CollectionLayout,
    capabilities: ServerCapabilities,
    *,
    foreign: Sequence[str] = (),
) -> dict[str, Any]:
    """Create the collection if absent, else check it fits (``problems``); load it; return its description.

    Raises what pymilvus raises (the caller translates it), or ``ConnectorConfigError`` naming the problems.
    """
    description = _describe(client, name)
    created_concurrently = False
    if description is None and _create(client, name, layout, capabilities):
        log.info("Created collection %r (Milvus %s).", name, capabilities.version)
        description = dict(client.describe_collection(name, timeout=CALL_TIMEOUT))
    else:
        created_concurrently = description is None
        if description is None:
            description = dict(client.describe_collection(name, timeout=CALL_TIMEOUT))
        found = problems(name, description, layout.contract, foreign=foreign)
        if found:
            raise ConnectorConfigError("The collection cannot be used: " + "; ".join(found) + ".")
    _load(client, name, wait=created_concurrently)
    return description


def _describe(client: MilvusClient, name: str) -> dict[str, Any] | None:
    if not client.has_collection(name, timeout=CALL_TIMEOUT):
        return None
    return dict(client.describe_collection(name, timeout=CALL_TIMEOUT))


def _create(client: MilvusClient, name: str, layout: CollectionLayout, capabilities: ServerCapabilities) -> bool:
    """Create the collection; False when another sync created it first (both saw none)."""
    try:
        layout.create(client, name, capabilities, timeout=SLOW_CALL_TIMEOUT)
    except MILVUS_CALL_ERRORS:
        # The other creator may still be mid-way (Milvus Lite's server answers "File exists"
        # before the collection is listed): give it a few seconds to appear.
        deadline = time.monotonic() + 5.0
        while not client.has_collection(name, timeout=CALL_TIMEOUT):
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
        log.info("Collection %r was created by another sync running at the same time.", name)
        return False
    return True


def _load(client: MilvusClient, name: str, *, wait: bool) -> None:
    """Load the collection; with ``wait``, retry for up to a minute (a concurrent creator may still add indexes)."""
    deadline = time.monotonic() + (60.0 if wait else 0.0)
    while True:
        try:
            client.load_collection(name, timeout=SLOW_CALL_TIMEOUT)
            return
        except MILVUS_CALL_ERRORS:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
