"""The console-script entry point ``destination-milvus-support``: process settings, then the destination."""

from __future__ import annotations

import os
import sys

__all__ = ["run"]


def run() -> None:
    """Run the destination with the command-line arguments (spec, check, write).

    The connector is a process of its own, so it sets what a library must not: gRPC's C core
    stays silent (``GRPC_VERBOSITY``, read once when grpc is first imported; Milvus Lite's
    in-process server otherwise prints keepalive chatter to stderr), and the pymilvus, grpc and
    milvus_lite loggers are quieted, since every failure is reported as one translated TRACE.
    """
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    try:
        from destination_milvus_support.destination import DestinationMilvusSupport
        from query_sdk import quiet_milvus_logging
    except ImportError as error:
        sys.stderr.write(
            f"destination-milvus-support needs its connector dependencies ({error.name} is missing): "
            "pip install 'destination-milvus-support[connector]'\n"
        )
        sys.exit(2)
    quiet_milvus_logging()
    DestinationMilvusSupport().run(sys.argv[1:])
