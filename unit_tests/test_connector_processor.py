"""Records to chunks: injective keys, chunk sizes in the model's tokens, errors that name stream and field only."""

from typing import NamedTuple

import pytest
from airbyte_cdk.models import AirbyteRecordMessage, ConfiguredAirbyteCatalogSerializer

from destination_milvus_support.config import FromFieldEmbedding, ProcessingConfig
from destination_milvus_support.errors import RecordError
from destination_milvus_support.keys import OWN_COLLECTION, official_collection
from destination_milvus_support.processor import DocumentProcessor, audience
from query_sdk.embedders import FakeEmbedder
from query_sdk.sentences import KEEP, SEPARATORS

PRIVATE = "CONFIDENTIAL-customer-text"


def _processor(
    primary_key=(("id",),),
    *,
    from_field=None,
    mode="append_dedup",
    official_ids=False,
    counter=None,
    count_many=None,
    reserved=frozenset(),
    **processing,
):
    catalog = ConfiguredAirbyteCatalogSerializer.load(
        {
            "streams": [
                {
                    "stream": {"name": "s", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                    "sync_mode": "full_refresh",
                    "destination_sync_mode": mode,
                    "primary_key": [list(p) for p in primary_key],
                }
            ]
        }
    )
    config = ProcessingConfig.model_validate({"chunk_size": 10, **processing})
    kind = official_collection(assigned_keys=True) if official_ids else OWN_COLLECTION
    return _Processor(
        config,
        catalog,
        counter or FakeEmbedder(8).count_tokens,
        count_many=count_many,
        from_field=from_field,
        record_ids=kind.record_id,
        reserved=reserved,
    )


class _Processed(NamedTuple):
    record_id: str
    chunks: list
    deleted: bool


class _Processor(DocumentProcessor):
    def process(self, record):
        """``prepare`` then ``chunk_many``, as the writer runs them for a changed record."""
        prepared = self.prepare(record)
        chunks = [] if prepared.deleted else self.chunk_many([prepared])[0]
        return _Processed(prepared.record_id, chunks, prepared.deleted)

    def chunk(self, prepared):
        return self.chunk_many([prepared])[0]


def _record(data):
    return AirbyteRecordMessage(stream="s", data=data, emitted_at=0)


@pytest.mark.parametrize(
    ("first", "second"),
    [(("a_b", "c"), ("a", "b_c")), (("1", "2"), (1, 2)), (("a,b", "c"), ("a", "b,c"))],
)
def test_composite_keys_that_join_alike_stay_distinct(first, second):
    processor = _processor((("x",), ("y",)))
    one = processor.process(_record({"x": first[0], "y": first[1], "text": "hello"}))
    two = processor.process(_record({"x": second[0], "y": second[1], "text": "hello"}))
    assert one.record_id != two.record_id
    assert {c.pk for c in one.chunks}.isdisjoint(c.pk for c in two.chunks)


def test_single_key_keeps_the_official_record_id_form():
    assert _processor().process(_record({"id": 7, "text": "hi"})).record_id == "s_7"


def test_in_an_official_collection_composite_keys_take_the_official_form_and_long_ids_stay_whole():
    official = _processor((("org",), ("id",)), official_ids=True)
    assert official.process(_record({"org": "acme", "id": 7, "text": "hi"})).record_id == "s_acme_7"
    long_key = "k" * 5000
    assert official.process(_record({"org": long_key, "id": 7, "text": "hi"})).record_id == f"s_{long_key}_7"
    ours = _processor((("org",), ("id",)))
    assert ours.process(_record({"org": "acme", "id": 7, "text": "hi"})).record_id == 's_["acme",7]'
    assert ours.process(_record({"org": long_key, "id": 7, "text": "hi"})).record_id.startswith("sha256:")


def test_long_text_becomes_chunks_within_chunk_size():
    processed = _processor(text_fields=["text"]).process(_record({"id": 1, "text": " ".join(["word"] * 95)}))
    assert len(processed.chunks) >= 10
    assert all(c.tokens <= 10 for c in processed.chunks)
    assert len({c.pk for c in processed.chunks}) == len(processed.chunks)


def test_cdc_deleted_record_is_a_deletion():
    processed = _processor().process(_record({"id": 1, "text": "x", "_ab_cdc_deleted_at": "2024-01-01T00:00:00Z"}))
    assert processed.deleted and processed.chunks == []


@pytest.mark.parametrize(
    ("processor_args", "data", "named"),
    [
        ({"text_fields": ["subject", "body"]}, {"id": 1, "status": PRIVATE}, ["'s'", "subject", "body"]),
        ({}, {"text": PRIVATE}, ["'s'", "'id'"]),
        (
            {"from_field": FromFieldEmbedding(field_name="embedding", dimensions=4)},
            {"id": 1, "text": PRIVATE, "embedding": [0.1, 0.2]},
            ["'s'", "'embedding'", "4"],
        ),
        (
            {"from_field": FromFieldEmbedding(field_name="embedding", dimensions=4)},
            {"id": 1, "text": PRIVATE, "embedding": PRIVATE},
            ["'s'", "'embedding'"],
        ),
    ],
    ids=["no_text_field", "no_primary_key", "vector_wrong_length", "vector_not_numbers"],
)
def test_record_errors_name_stream_and_field_not_content(processor_args, data, named):
    with pytest.raises(RecordError) as error:
        _processor(**processor_args).process(_record(data))
    for name in named:
        assert name in str(error.value)
    assert PRIVATE not in str(error.value)


def test_from_field_vector_is_not_embedded_as_text_when_all_fields_are_text():
    processor = _processor(chunk_size=200, from_field=FromFieldEmbedding(field_name="embedding", dimensions=4))
    processed = processor.process(_record({"id": 1, "subject": "printer jam", "embedding": [0.25] * 4}))
    assert [c.text for c in processed.chunks] == ["id: 1\nsubject: printer jam"]
    assert processed.chunks[0].vector == [0.25] * 4
    assert "embedding" not in processed.chunks[0].metadata


@pytest.mark.parametrize(
    ("mode", "versions_share_keys"), [("append_dedup", True), ("append", False), ("overwrite", False)]
)
def test_chunk_keys_name_the_version_except_in_dedup(mode, versions_share_keys):
    processor = _processor(mode=mode, text_fields=["text"])
    v1 = processor.process(_record({"id": 1, "text": "first version"}))
    v2 = processor.process(_record({"id": 1, "text": "second version"}))
    again = processor.process(_record({"id": 1, "text": "first version"}))
    assert v1.record_id == v2.record_id == "s_1"
    assert (v1.chunks[0].pk == v2.chunks[0].pk) is versions_share_keys
    assert again.chunks[0].pk == v1.chunks[0].pk  # a resent record lands on the same rows


def test_record_of_a_stream_outside_the_catalog_is_refused_by_name():
    with pytest.raises(RecordError) as error:
        _processor().process(AirbyteRecordMessage(stream="other", data={"id": 1, "text": PRIVATE}, emitted_at=0))
    assert "'other'" in str(error.value)
    assert PRIVATE not in str(error.value)


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({}, True),
        ({"updated_at": "2024-05-02"}, True),  # not a configured field: the rows would not change
        ({"status": "solved"}, False),
        ({"text": "other words"}, False),
        ({"big": 2**70 + 1}, False),  # beyond 64 bits: still digested
    ],
)
def test_the_content_digest_changes_exactly_when_the_rows_would(change, same):
    processor = _processor(text_fields=["text"], metadata_fields=["status", "big"])
    base = {"id": 1, "text": "printer jams", "status": "open", "big": 2**70, "updated_at": "2024-05-01"}
    first = processor.prepare(_record(base))
    again = processor.prepare(_record({**base, **change}))
    assert (first.digest == again.digest) is same


def test_the_content_digest_names_the_processing_settings():
    record = _record({"id": 1, "text": "printer jams"})
    narrow = _processor(text_fields=["text"], chunk_size=10).prepare(record)
    wide = _processor(text_fields=["text"], chunk_size=20).prepare(record)
    assert narrow.digest != wide.digest and narrow.fields == wide.fields


EMAIL = (
    "Hi Acme,\n\nMy card was declined at the shop.\n\nKind regards,\nAnna\n\n"
    "On 3 Nov 2025, Acme Support wrote:\n> Could you send us a screenshot?"
)


def test_email_text_fields_are_cleaned_and_other_fields_are_not():
    processor = _processor(chunk_size=200, text_fields=["subject", "description"], email_text_fields=["description"])
    record = {"id": 1, "subject": "Hi Acme,\nThanks,", "description": EMAIL}
    (chunk,) = processor.process(_record(record)).chunks
    assert chunk.text == "subject: Hi Acme,\nThanks,\ndescription: My card was declined at the shop."


def test_each_text_of_a_wildcard_email_field_is_cleaned():
    processor = _processor(chunk_size=200, text_fields=["comments.*.body"], email_text_fields=["comments.*.body"])
    record = {"id": 1, "comments": [{"body": EMAIL}, {"body": "Sent from my iPhone\n\nStill declined today."}]}
    (chunk,) = processor.process(_record(record)).chunks
    assert chunk.text == "comments.*.body: My card was declined at the shop., Still declined today."


def test_without_email_text_fields_the_text_is_embedded_as_written():
    processor = _processor(chunk_size=200, text_fields=["description"])
    (chunk,) = processor.process(_record({"id": 1, "description": EMAIL})).chunks
    assert chunk.text == f"description: {EMAIL}"


_SPLIT_TEXTS = [
    "short",
    " ".join(["word"] * 95),
    "para one.\n\npara two is longer " * 9,
    "?",
    "<|endoftext|> " * 7,
    "# Title\n\nIntro text here.\n## Part\n" + "line of words\n" * 20,
    "def f(x):\n    return x\n\nclass A:\n    pass\n" * 6,
    "x" * 300,
]


@pytest.mark.parametrize(
    "text_splitter",
    [
        None,
        {"mode": "separator", "separators": ['"\\n\\n"', '"\\n"', '" "'], "keep_separator": False},
        {"mode": "markdown", "split_level": 2},
        {"mode": "code", "language": "python"},
    ],
)
def test_chunking_many_records_at_once_cuts_them_as_one_at_a_time(text_splitter):
    """Counting a level's pieces in one call (``splitter.ChunkSplitter``) leaves langchain's cuts as they were."""
    from query_sdk.embedders.openai import count_cl100k_tokens, count_cl100k_tokens_many

    settings = {"chunk_size": 16, "chunk_overlap": 4, "text_fields": ["text"], "text_splitter": text_splitter}
    plain = _processor(counter=count_cl100k_tokens, **settings)
    batched = _processor(counter=count_cl100k_tokens, count_many=count_cl100k_tokens_many, **settings)
    prepared = [plain.prepare(_record({"id": i, "text": t})) for i, t in enumerate(_SPLIT_TEXTS)]
    one_at_a_time = [plain.chunk(p) for p in prepared]
    assert sum(len(chunks) for chunks in one_at_a_time) > len(_SPLIT_TEXTS)  # some records were split
    assert batched.chunk_many(prepared) == one_at_a_time


def test_the_default_splitter_cuts_as_langchain_does_with_one_count_call_per_level():
    """Same pieces as langchain's own splitter measuring piece by piece, and no piece counted alone."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from query_sdk.embedders.openai import count_cl100k_tokens, count_cl100k_tokens_many

    calls = {"one": 0, "many": 0}

    def one(text):
        calls["one"] += 1
        return count_cl100k_tokens(text)

    def many(texts):
        calls["many"] += 1
        return count_cl100k_tokens_many(texts)

    processor = _processor(counter=one, count_many=many, chunk_size=16, chunk_overlap=4, text_fields=["text"])
    langchain = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator=KEEP,
        chunk_size=16,
        chunk_overlap=4,
        length_function=count_cl100k_tokens,
    )
    prepared = [processor.prepare(_record({"id": i, "text": t})) for i, t in enumerate(_SPLIT_TEXTS)]
    calls.update(one=0, many=0)  # the fingerprint's probes were counted while preparing

    chunked = processor.chunk_many(prepared)

    for record, chunks in zip(prepared, chunked, strict=True):
        assert [c.text for c in chunks] == langchain.split_text(processor.render(record))
        assert [c.tokens for c in chunks] == [count_cl100k_tokens(c.text) for c in chunks]
    assert calls["one"] == 0
    assert calls["many"] < sum(len(chunks) for chunks in chunked)


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        ({"user_segment_id": None}, False, ["everyone"]),
        ({"user_segment_id": 360000000001}, False, ["segment:360000000001"]),
        ({"user_segment_ids": [2, 1], "user_segment_id": None}, False, ["segment:1", "segment:2"]),
        ({}, True, ["everyone"]),  # the Python CDK leaves nulls out: the schema says the field exists
        ({}, False, None),  # nothing says who may read it
    ],
)
def test_the_audience_of_a_record_follows_its_user_segments(data, declared, expected):
    assert audience(data, declared=declared) == expected


def test_who_may_see_a_record_is_kept_whatever_metadata_fields_lists():
    processor = _processor(text_fields=["text"], metadata_fields=["status"])
    data = {"id": 1, "text": "x", "status": "open", "requester_id": 9, "organization_id": 4, "user_segment_id": 7}
    metadata = processor.prepare(_record(data)).metadata
    assert {k: metadata[k] for k in ("status", "requester_id", "organization_id", "user_segment_id")} == {
        "status": "open",
        "requester_id": 9,
        "organization_id": 4,
        "user_segment_id": 7,
    }
    assert metadata["_ab_audience"] == ["segment:7"]
    assert "_ab_audience" not in processor.prepare(_record({"id": 2, "text": "x"})).metadata


def test_a_source_field_named_like_the_audience_bookkeeping_is_refused():
    from destination_milvus_support.milvus.schema import BOOKKEEPING_FIELDS

    processor = _processor(text_fields=["text"], reserved=frozenset(BOOKKEEPING_FIELDS))
    with pytest.raises(RecordError, match="_ab_audience"):
        processor.prepare(_record({"id": 1, "text": "x", "_ab_audience": ["everyone"]}))


_CHINESE_TICKET = (
    "您好，我上周在网上商店用信用卡买了一台笔记本电脑，订单号是二零二五一一零三。"
    "付款的时候页面显示成功，但是第二天我收到银行的短信，说这笔交易被拒绝了。"
    "我又试了一次，结果同样的金额被扣了两次，可是订单状态一直显示待付款！"
    "请问这两笔钱什么时候能退回到我的账户？我已经联系了银行，他们说需要商家先撤销交易。"
    "另外，我的卡现在好像被冻结了，在超市也刷不了卡，这让我非常着急。"
    "能不能帮我查一下到底是哪里出了问题？如果需要我提供截图或者银行流水，我可以马上发给你们。"
) * 3
_FRENCH_TICKET = (
    "Bonjour, j'ai commandé un ordinateur portable la semaine dernière et le paiement a été refusé. "
    "Pourtant le montant a été débité deux fois sur mon compte, et la commande reste en attente ! "
    "Pourriez-vous vérifier ce qui se passe ? Ma banque me dit que c'est au commerçant d'annuler. "
    "En plus ma carte semble bloquée : je ne peux plus payer au supermarché, c'est très gênant. "
) * 4


@pytest.mark.parametrize(("text", "ends"), [(_CHINESE_TICKET, "。！？"), (_FRENCH_TICKET, ".!?")], ids=["zh", "fr"])
def test_long_text_is_cut_where_sentences_end(text, ends):
    """Unset text_splitter: Chinese (no spaces) and one-line French are cut after a sentence, never inside one."""

    def characters(piece):
        return len(piece)

    processor = _processor(counter=characters, chunk_size=120, text_fields=["text"])
    chunks = processor.chunk_many([processor.prepare(_record({"id": 1, "text": text}))])[0]
    assert len(chunks) > 5
    assert all(chunk.text.rstrip()[-1] in ends for chunk in chunks), [c.text[-12:] for c in chunks]
