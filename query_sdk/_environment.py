"""Process settings that must be in place before grpc and pymilvus are first imported."""

from __future__ import annotations

import os

__all__: list[str] = []

# gRPC's C core prints keepalive chatter with Milvus Lite's in-process server to stderr; real
# failures reach callers as exceptions. It reads this once, when grpc is first imported.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")


def _import_pymilvus() -> None:
    """Import pymilvus with ``MILVUS_URI`` blanked.

    pymilvus parses ``MILVUS_URI`` (also from a ``.env`` file) when imported and raises on a
    Milvus Lite path; query_sdk passes URIs explicitly, so an app's own ``MILVUS_URI`` must not
    break the import.
    """
    saved = os.environ.get("MILVUS_URI")
    os.environ["MILVUS_URI"] = ""
    try:
        import pymilvus  # noqa: F401
    finally:
        if saved is None:
            os.environ.pop("MILVUS_URI", None)
        else:
            os.environ["MILVUS_URI"] = saved


_import_pymilvus()
