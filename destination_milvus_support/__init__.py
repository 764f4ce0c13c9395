"""destination-milvus-support: an Airbyte destination that chunks, embeds and indexes help-desk data into Milvus."""

from destination_milvus_support.run import run

__all__ = ["run"]
