"""Config drop-in and config errors against real Milvus: the official OpenAI model, a missing database, check's footprint."""

import logging
import time

import pytest
from airbyte_cdk.models import Status
from pymilvus import MilvusClient

from destination_milvus_support.destination import DestinationMilvusSupport
from query_sdk.contract import CollectionContract
from testkit.openai_stub import OpenAIStub
from testkit.runner import (
    catalog,
    catalog_dict,
    lean_config,
    record,
    run_in_process,
    stream,
    ticket,
    to_line,
    write_all,
)

OPENAI_KEY = "sk-official-config-0123456789"


def _check(config):
    return DestinationMilvusSupport().check(logging.getLogger("test"), config)


def _files(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def _settled_files(folder, *, quiet=1.0, limit=60.0):
    """``_files`` once the folder stopped changing: Milvus Lite may still write its files after a sync returns."""
    deadline = time.monotonic() + limit
    seen = _files(folder)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = _files(folder)
        if now == seen:
            return now
        seen = now
    raise AssertionError(f"{folder} kept changing for {limit} s after the sync")


# -- an official config keeps the official model --------------------------------------------------


def test_an_official_openai_config_embeds_with_ada_002_and_refuses_to_mix_models(
    lite_uri, collection_name, monkeypatch
):
    with OpenAIStub(dimensions=1536) as stub:
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)  # the openai client's own setting: api.openai.com here
        official = lean_config(lite_uri, collection_name, embedding={"mode": "openai", "openai_key": OPENAI_KEY})
        official["indexing"]["auth"] = {"mode": "no_auth"}

        write_all(official, catalog(stream("tickets")), [record("tickets", ticket(1)), record("tickets", ticket(2))])

        assert {r["payload"]["model"] for r in stub.state.requests} == {"text-embedding-ada-002"}
        client = MilvusClient(lite_uri)
        try:
            contract = CollectionContract.from_description(client.describe_collection(collection_name))
        finally:
            client.close()
        assert contract is not None
        assert (contract.embedding.model, contract.embedding.dimensions) == ("text-embedding-ada-002", 1536)

        # Same dimensions, other model: refused, naming the model the collection needs.
        newer = {**official, "embedding": {**official["embedding"], "model": "text-embedding-3-small"}}
        status = _check(newer)
    assert status.status == Status.FAILED
    assert "built with openai model 'text-embedding-ada-002', not 'text-embedding-3-small'" in status.message
    assert OPENAI_KEY not in status.message


# -- a database that does not exist -----------------------------------------------------------------


def test_a_missing_database_is_a_config_error_naming_indexing_db(milvus_uri, collection_name, tmp_path):
    config = lean_config(milvus_uri, collection_name, db="no_such_db")

    status = _check(config)
    assert status.status == Status.FAILED
    assert "indexing.db" in status.message
    assert "'no_such_db' does not exist" in status.message

    out = run_in_process(
        "write",
        tmp_path,
        config=config,
        catalog=catalog_dict(stream("tickets")),
        lines=[to_line(record("tickets", ticket(1)))],
    )
    assert out.returncode == 1
    (error,) = out.errors
    assert error.failure_type.value == "config_error"
    assert "indexing.db" in error.message
    assert "'no_such_db' does not exist" in error.message
    assert "Traceback" not in out.stdout


def test_an_existing_database_is_used(_lite_server_uri, collection_name):
    admin = MilvusClient(_lite_server_uri)
    name = f"db_{collection_name}"
    try:
        admin.create_database(name)
        config = lean_config(_lite_server_uri, collection_name, db=name)
        assert _check(config).status == Status.SUCCEEDED
        write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1))])
        assert collection_name in MilvusClient(_lite_server_uri, db_name=name).list_collections()
        assert collection_name not in admin.list_collections()
    finally:
        admin.close()


# -- check creates nothing --------------------------------------------------------------------------


def test_check_creates_no_milvus_lite_folder(tmp_path, collection_name):
    path = tmp_path / "new" / "support.db"
    path.parent.mkdir()

    status = _check(lean_config(str(path), collection_name))

    assert status.status == Status.SUCCEEDED
    assert not path.exists()
    assert list(tmp_path.rglob("*")) == [path.parent]


def test_check_leaves_an_existing_milvus_lite_folder_as_it_was(lite_uri, collection_name, tmp_path):
    config = lean_config(lite_uri, collection_name)
    write_all(config, catalog(stream("tickets")), [record("tickets", ticket(1))])
    before = _settled_files(tmp_path)

    assert _check(config).status == Status.SUCCEEDED
    assert _check(lean_config(lite_uri, "another_collection")).status == Status.SUCCEEDED

    assert _files(tmp_path) == before


@pytest.mark.parametrize("case", ["missing_parent", "path_is_a_file", "database_in_new_lite_data"])
def test_check_reports_a_bad_milvus_lite_path_clearly(tmp_path, collection_name, case):
    path, db, says = tmp_path / "nowhere" / "support.db", "", "does not exist (indexing.host)"
    if case == "path_is_a_file":
        path = tmp_path / "support.db"
        path.write_text("not milvus")
        says = "indexing.host"
    elif case == "database_in_new_lite_data":
        path, db, says = tmp_path / "support.db", "sales", "'sales' does not exist"
    before = _files(tmp_path)

    status = _check(lean_config(str(path), collection_name, db=db))

    assert status.status == Status.FAILED
    assert says in status.message
    assert "Traceback" not in status.message
    assert _files(tmp_path) == before
