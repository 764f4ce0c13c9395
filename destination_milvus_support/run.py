"""The console-script entry point ``destination-milvus-support``."""

from __future__ import annotations

import sys

__all__ = ["run"]


def run() -> None:
    """Run the destination with the command-line arguments (spec, check, write)."""
    try:
        from destination_milvus_support.destination import DestinationMilvusSupport
    except ImportError as error:
        sys.stderr.write(
            f"destination-milvus-support needs its connector dependencies ({error.name} is missing): "
            "pip install 'destination-milvus-support[connector]'\n"
        )
        sys.exit(2)
    DestinationMilvusSupport().run(sys.argv[1:])
