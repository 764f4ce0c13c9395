"""Which fields a search asks Milvus for: declared fields by name, dynamic keys through ``$meta`` alone."""

from pymilvus import DataType

from query_sdk.capabilities import ServerCapabilities
from query_sdk.collection import CollectionInfo


def _info(scalar_types, *, dynamic=True):
    return CollectionInfo(
        name="c",
        contract=None,
        metric="L2",
        vector_field="vector",
        text_field="text",
        dimensions=8,
        pk_field="pk",
        scalar_types=scalar_types,
        dynamic=dynamic,
        sparse_field=None,
        capabilities=ServerCapabilities.from_version("v2.3.5"),
    )


def test_a_text_kept_in_the_dynamic_field_is_not_named_next_to_meta():
    # Milvus 2.3 answers ["$meta", "text"] with the "text" key alone, losing _ab_record_id and the metadata
    official = _info({"pk": DataType.INT64})
    assert official.output_fields("text") == ["$meta"]
    assert official.output_fields("text", "vector") == ["vector", "$meta"]


def test_declared_fields_are_named_once():
    ours = _info({"pk": DataType.VARCHAR, "status": DataType.VARCHAR, "text": DataType.VARCHAR})
    assert ours.output_fields("text") == ["status", "text", "$meta"]
    assert _info({"text": DataType.VARCHAR}, dynamic=False).output_fields("text", "vector") == ["text", "vector"]
