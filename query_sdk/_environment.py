"""Importing pymilvus without letting it read or change the importing app's environment.

pymilvus, when first imported, loads a ``.env`` file into ``os.environ`` (python-dotenv's
``load_dotenv()``) and parses ``MILVUS_URI``, raising on a Milvus Lite path. query_sdk passes URIs
explicitly, so it imports pymilvus once here, first, with ``MILVUS_URI`` blanked, and then puts
``os.environ`` back exactly as it was: the blank is undone, and no variable from a ``.env`` file is
left behind. Nothing else about the process (logging, gRPC settings) is changed; an app that wants
quiet Milvus logs calls ``query_sdk.quiet_milvus_logging()``.
"""

from __future__ import annotations

import os
import sys

__all__: list[str] = []


def _import_pymilvus() -> None:
    """Import pymilvus with ``MILVUS_URI`` blanked, then restore ``os.environ`` to what it was."""
    if "pymilvus" in sys.modules:
        return
    saved = dict(os.environ)
    os.environ["MILVUS_URI"] = ""
    try:
        import pymilvus  # noqa: F401
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


_import_pymilvus()
