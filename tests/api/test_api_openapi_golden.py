"""The OpenAPI document, byte for byte: partners generate their clients from it.

A change to the document must be deliberate: a refactoring of ``api/`` leaves it as it
was, and a change of the API shows in the diff of ``tests/api/golden/openapi.json``. The
golden file is the document indented, so that a diff is readable; the served bytes are
compared with the golden document written the way ninja writes it (``json.dumps`` with its
defaults), which is one exact byte string. After a deliberate change write the new one
with::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/api/test_api_openapi_golden.py
"""

import json
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "openapi.json"


def test_the_openapi_document_is_the_committed_one(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    if os.environ.get("UPDATE_GOLDEN"):
        document = json.loads(response.content)
        GOLDEN.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    golden = json.loads(GOLDEN.read_text())

    assert response.content == json.dumps(golden).encode(), (
        "The OpenAPI document changed. If that is meant, rerun with UPDATE_GOLDEN=1 and "
        "commit tests/api/golden/openapi.json"
    )
