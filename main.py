"""Airbyte's conventional entry point: ``python main.py spec|check|write ...``."""

from destination_milvus_support.run import run

if __name__ == "__main__":
    run()
