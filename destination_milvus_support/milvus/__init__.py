"""The connector's side of Milvus: the schema it creates, the collection it prepares, the store it writes.

- ``schema``: the fields and indexes of a collection this connector creates;
- ``collection``: create it or check an existing one, and read how it wants its rows (``Target``);
- ``store``: ``MilvusStore``, the writer's storage port on Milvus (lookups, writes, deletes);
- ``snapshot``: read-your-writes, the only code that uses pymilvus internals;
- ``calls``: call deadlines, and the one place Milvus errors are translated.
"""
