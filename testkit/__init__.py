"""The shared test kit: real servers and stubs, and runners for the connector, used by integration_tests/ and bench/.

- ``servers``: Milvus Lite's gRPC server and the Milvus 2.3.5 standalone on 127.0.0.1;
- ``openai_stub``: an HTTP server speaking the OpenAI embeddings API (rate limits, storms, faults);
- ``zendesk_stub``, ``zendesk_env``: Zendesk's API over HTTPS and the real Zendesk Support source in its venv;
- ``pyairbyte_env``: PyAirbyte and source-faker in their venv;
- ``runner``: messages, catalogs and configs, the connector run in-process or as ``main.py``, a Milvus reader;
- ``faults``: a sync killed at a chosen point;
- ``official_milvus``: the official Airbyte Milvus destination reproduced from its source.

Not part of the wheel: it lives at the repository root, as the tests and benchmarks that use it do.
"""
