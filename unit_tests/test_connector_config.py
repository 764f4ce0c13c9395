"""Config refusals: impossible combinations fail at parse time, in check, naming the field and no secret."""

import copy
import json
import logging

import pytest
from airbyte_cdk.models import AirbyteRecordMessage, ConfiguredAirbyteCatalogSerializer, Status
from pydantic import ValidationError

from destination_milvus_support.config import OFFICIAL_OPENAI_MODEL, ConnectorConfig, ProcessingConfig
from destination_milvus_support.destination import DestinationMilvusSupport
from destination_milvus_support.embedding import build_embedder
from destination_milvus_support.errors import describe_validation_error
from destination_milvus_support.processor import DocumentProcessor
from query_sdk.embedders import FakeEmbedder

SECRET = "sk-refusal-secret-0123456789"
BASE = {
    "processing": {"chunk_size": 100, "chunk_overlap": 0},
    "embedding": {"mode": "openai", "openai_key": SECRET},
    "indexing": {"host": "/nonexistent/folder/milvus.db", "collection": "tickets"},
}
REFUSALS = {
    "overlap_not_below_size": ({"processing": {"chunk_size": 100, "chunk_overlap": 100}}, "processing.chunk_overlap"),
    "local_chunk_over_254": (
        {"processing": {"chunk_size": 300}, "embedding": {"mode": "local"}},
        "processing.chunk_size",
    ),
    "ada_002_shortened": (
        {"embedding": {"mode": "openai", "openai_key": SECRET, "model": "text-embedding-ada-002", "dimensions": 512}},
        "embedding.dimensions",
    ),
    "3_small_beyond_native": (
        {"embedding": {"mode": "openai", "openai_key": SECRET, "model": "text-embedding-3-small", "dimensions": 4096}},
        "embedding.dimensions",
    ),
}


def _config(change):
    config = copy.deepcopy(BASE)
    for section, values in change.items():
        config[section] = {**config[section], **values} if section != "embedding" else values
    return config


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_impossible_config_is_refused_naming_the_field(case):
    change, field = REFUSALS[case]
    with pytest.raises(ValidationError) as error:
        ConnectorConfig.model_validate(_config(change))
    message = describe_validation_error(error.value)
    assert field in message
    assert SECRET not in message


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_check_reports_the_refused_field_without_the_secret(case):
    change, field = REFUSALS[case]
    status = DestinationMilvusSupport().check(logging.getLogger("test"), _config(change))
    assert status.status == Status.FAILED
    assert field in status.message
    assert SECRET not in status.message
    assert "Traceback" not in status.message


@pytest.mark.parametrize("chunk_size", [1, 254])
def test_local_model_accepts_chunks_within_its_limit(chunk_size):
    ConnectorConfig.model_validate(_config({"processing": {"chunk_size": chunk_size}, "embedding": {"mode": "local"}}))


def test_a_wrong_secret_type_is_reported_without_its_value():
    config = _config({"embedding": {"mode": "openai", "openai_key": ["sk-list-secret-0123456789"]}})
    with pytest.raises(ValidationError) as error:
        ConnectorConfig.model_validate(config)
    message = describe_validation_error(error.value)
    assert "embedding.openai.openai_key" in message or "embedding.openai_key" in message
    assert "sk-list-secret" not in message


# -- drop-in for official configs, and hosts that are neither a server nor a Milvus Lite path ----------


def test_an_official_openai_config_embeds_with_the_officials_model():
    # The official destination has no embedding.model: it always embeds with text-embedding-ada-002.
    official = _config({"embedding": {"mode": "openai", "openai_key": SECRET}})
    parsed = ConnectorConfig.model_validate(official)
    assert parsed.embedding.model == OFFICIAL_OPENAI_MODEL == "text-embedding-ada-002"
    embedder = build_embedder(parsed.embedding)
    try:
        assert (embedder.spec.model, embedder.spec.dimensions) == ("text-embedding-ada-002", 1536)
    finally:
        embedder.close()


def test_a_chosen_openai_model_is_kept():
    parsed = ConnectorConfig.model_validate(
        _config({"embedding": {"mode": "openai", "openai_key": SECRET, "model": "text-embedding-3-small"}})
    )
    assert parsed.embedding.model == "text-embedding-3-small"


#: Hosts that are neither a server URI nor a Milvus Lite path, with what the error must say.
BAD_HOSTS = {
    "ftp": ("ftp://milvus.example.com/data", "scheme 'ftp' is not supported"),
    "file": ("file:///var/lib/milvus.db", "scheme 'file' is not supported"),
    "grpc": ("grpc://milvus.example.com:19530", "tcp://host:19530"),
    "host_port_without_scheme": ("localhost:19530", "is not a URI"),
    "single_slash": ("http:/milvus.example.com", "is not a URI"),
    "no_host": ("https://", "no host name"),
    "bad_port": ("http://milvus.example.com:99999", "invalid port"),
    "lite_path_without_db_suffix": ("/var/lib/milvus", "must end in .db"),
    "empty": ("  ", "is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_HOSTS))
def test_a_host_that_is_neither_a_server_uri_nor_a_lite_path_is_refused(case):
    with pytest.raises(ValidationError) as error:
        ConnectorConfig.model_validate(_config({"indexing": {"host": BAD_HOSTS[case][0]}}))
    message = describe_validation_error(error.value)
    assert "indexing.host" in message
    assert BAD_HOSTS[case][1] in message
    assert "Traceback" not in message


@pytest.mark.parametrize("case", sorted(BAD_HOSTS))
def test_check_and_write_report_a_bad_host_as_a_config_error_and_create_nothing(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    host, says = BAD_HOSTS[case]
    config = _config({"embedding": {"mode": "fake"}, "indexing": {"host": host}})
    status = DestinationMilvusSupport().check(logging.getLogger("test"), config)
    assert status.status == Status.FAILED
    assert "indexing.host" in status.message
    assert says in status.message

    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(json.dumps({"streams": []}))
    with pytest.raises(SystemExit) as exit_:
        DestinationMilvusSupport().run(["write", "--config", "config.json", "--catalog", "catalog.json"])
    assert exit_.value.code == 1
    (trace,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    error = trace["trace"]["error"]
    assert error["failure_type"] == "config_error"
    assert "indexing.host" in error["message"]
    assert says in error["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.json", "config.json"]  # no folder named after it


@pytest.mark.parametrize(
    "host", ["./support.db", "/srv/milvus/support.db", "http://milvus:19530", "https://x.zillizcloud.com", "tcp://h:1"]
)
def test_server_uris_and_lite_paths_are_accepted(host):
    assert ConnectorConfig.model_validate(_config({"indexing": {"host": host}})).indexing.host == host


# -- embedding values without field names -------------------------------------------------------------


def _chunk_texts(**processing):
    catalog = ConfiguredAirbyteCatalogSerializer.load(
        {
            "streams": [
                {
                    "stream": {"name": "tickets", "json_schema": {}, "supported_sync_modes": ["incremental"]},
                    "sync_mode": "incremental",
                    "destination_sync_mode": "append_dedup",
                    "primary_key": [["id"]],
                }
            ]
        }
    )
    config = ProcessingConfig.model_validate(
        {"chunk_size": 100, "text_fields": ["subject", "description"], **processing}
    )
    processor = DocumentProcessor(config, catalog, FakeEmbedder(8).count_tokens)
    data = {"id": 1, "subject": "Printer jams", "description": "Paper stuck in tray 2", "status": "open"}
    prepared = processor.prepare(AirbyteRecordMessage(stream="tickets", data=data, emitted_at=0))
    return [c.text for c in processor.chunk_many([prepared])[0]]


def test_field_names_are_embedded_by_default():
    assert _chunk_texts() == ["subject: Printer jams\ndescription: Paper stuck in tray 2"]


def test_omit_field_names_embeds_only_the_values():
    assert _chunk_texts(omit_field_names_from_embeddings=True) == ["Printer jams\nPaper stuck in tray 2"]


def test_an_official_config_keeps_field_names():
    parsed = ConnectorConfig.model_validate(_config({}))
    assert parsed.processing.omit_field_names_from_embeddings is False


def test_email_text_fields_must_be_embedded_text_fields():
    base = {
        "embedding": {"mode": "fake"},
        "indexing": {"host": "/tmp/x.db", "collection": "c", "auth": {"mode": "no_auth"}},
    }
    processing = {"chunk_size": 100, "text_fields": ["subject"], "email_text_fields": ["description"]}
    with pytest.raises(ValidationError, match="email_text_fields names description"):
        ConnectorConfig.model_validate({**base, "processing": processing})
    processing["text_fields"] = ["subject", "description"]
    assert ConnectorConfig.model_validate({**base, "processing": processing}).processing.email_text_fields == [
        "description"
    ]
    assert (
        ConnectorConfig.model_validate({**base, "processing": {"chunk_size": 100}}).processing.email_text_fields == []
    )


@pytest.mark.parametrize(
    ("change", "named", "not_named"),
    [
        ({"embedding": {"mode": "openai"}}, "embedding.openai_key: Field required", "embedding.openai."),
        (
            {"embedding": {"mode": "openai_compatible", "base_url": "http://127.0.0.1:1/v1"}},
            "embedding.dimensions: Field required",
            "openai_compatible.",
        ),
        ({"indexing": {"auth": {"mode": "token"}}}, "indexing.auth.token: Field required", "auth.token.token"),
        (
            {"processing": {"text_splitter": {"mode": "code"}}},
            "processing.text_splitter.language: Field required",
            "text_splitter.code.",
        ),
    ],
)
def test_errors_name_the_key_as_it_is_in_the_config_not_the_union_tag(change, named, not_named):
    # pydantic's location holds the tagged union's tag (embedding.openai.openai_key): no such key exists.
    with pytest.raises(ValidationError) as error:
        ConnectorConfig.model_validate(_config(change))
    message = describe_validation_error(error.value)
    assert named in message
    assert not_named not in message
