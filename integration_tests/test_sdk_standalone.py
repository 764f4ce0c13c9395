"""query_sdk works in a process where airbyte_cdk cannot be imported (apps install the SDK without the connector)."""

import json
import subprocess
import sys
import textwrap

from integration_tests.sdk_fixtures import (
    CARD_QUERY,
    ORG,
    PROJECT,
    subprocess_helpdesk,  # noqa: F401  (fixture)
)

CHILD = textwrap.dedent(
    """
    import json, sys

    class BlockAirbyte:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("airbyte_cdk", "destination_milvus_support"):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockAirbyte())
    uri, collection, query, org = sys.argv[1:5]

    import query_sdk
    import query_sdk.cli
    from query_sdk import SupportSearch

    with SupportSearch.connect(uri=uri, collection=collection) as search:
        tickets = search.find_duplicate_tickets(query, organization_id=int(org), threshold=0.5)
        articles = search.recommend_articles("why was my card declined", limit=1)
    try:
        import airbyte_cdk  # noqa: F401
        blocked = False
    except ImportError:
        blocked = True
    print(json.dumps({
        "tickets": [m.to_dict() for m in tickets],
        "articles": [m.record_id for m in articles],
        "blocked": blocked,
        "loaded": sorted(m for m in sys.modules if m.startswith(("airbyte", "destination_milvus_support"))),
    }))
    """
)


def test_query_sdk_searches_without_airbyte_cdk(subprocess_helpdesk):  # noqa: F811
    done = subprocess.run(
        [sys.executable, "-c", CHILD, subprocess_helpdesk.uri, subprocess_helpdesk.collection, CARD_QUERY, str(ORG)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["blocked"] is True
    assert result["loaded"] == []
    assert [t["record_id"] for t in result["tickets"]][:1] == ["101"]
    assert {t["fields"]["organization_id"] for t in result["tickets"]} == {ORG}
    assert result["articles"] == ["301"]
