"""The console-script entry point ``destination-milvus-support``: process settings, then the destination."""

from __future__ import annotations

import os
import sys

__all__ = ["run"]


def run() -> None:
    """Run the destination with the command-line arguments (spec, check, write).

    The connector is a process of its own, so it sets what a library must not: gRPC's C core
    stays silent (``GRPC_VERBOSITY``, read once when grpc is first imported; Milvus Lite's
    in-process server otherwise prints keepalive chatter to stderr). ``DestinationMilvusSupport.run``
    then quiets the pymilvus, grpc and milvus_lite loggers (``query_sdk.quiet_milvus_logging``).
    """
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    try:
        from destination_milvus_support.destination import DestinationMilvusSupport
    except ImportError as error:
        sys.stderr.write(
            f"destination-milvus-support needs its connector dependencies ({error.name} is missing): "
            "pip install 'destination-milvus-support[connector]'\n"
        )
        sys.exit(2)
    DestinationMilvusSupport().run(sys.argv[1:])
