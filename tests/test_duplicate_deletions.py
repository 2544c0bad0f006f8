"""A duplicate the person described, deleted as asked: "delete the duplicate upload,
keep the older one" covers the id of the newer of two records an earlier output showed
as the same file. The older one, a record that differs, or a deletion asked with no
duplicate in the words is still held."""

from __future__ import annotations

import json

from tests._assess import assess_call

DOCS = [
    {
        "tool": "imanage.documents.search",
        "args": {"matter_number": "2023-0117", "name": "Depo_Tr_Cortland_2024-04-11.pdf"},
        "observation": json.dumps(
            {
                "results": [
                    {
                        "doc_id": "HW-DOCS!8829011.1",
                        "created": "2024-04-19T10:02:11-07:00",
                        "by": "lchen",
                        "size": 4471832,
                        "sha256": "9f2c41e71a",
                        "folder": "Depositions",
                    },
                    {
                        "doc_id": "HW-DOCS!8829374.1",
                        "created": "2024-05-02T16:45:58-07:00",
                        "by": "kpham",
                        "size": 4471832,
                        "sha256": "9f2c41e71a",
                        "folder": "Depositions",
                    },
                    {
                        "doc_id": "HW-DOCS!8830002.1",
                        "created": "2024-05-03T09:12:00-07:00",
                        "by": "kpham",
                        "size": 4471990,
                        "sha256": "77ab0c9d12",
                        "folder": "Depositions",
                    },
                ]
            }
        ),
    }
]
SAID = (
    "delete the duplicate upload of the Cortland depo transcript, there are two of the same "
    "file. keep the older one"
)


def _mode(doc_id: str, said: str = SAID) -> str:
    a = assess_call("imanage.documents.delete", {"doc_id": doc_id, "purge": False}, said, DOCS)
    return a.mode.value


def test_the_newer_copy_deleted_as_asked_runs() -> None:
    assert _mode("HW-DOCS!8829374.1") == "auto"


def test_the_older_copy_the_person_kept_is_held() -> None:
    assert _mode("HW-DOCS!8829011.1") != "auto"


def test_a_record_that_differs_is_no_duplicate() -> None:
    assert _mode("HW-DOCS!8830002.1") != "auto"


def test_a_deletion_asked_with_no_duplicate_in_the_words_is_held() -> None:
    said = "clean up the Cortland depo folder, delete what we don't need"
    assert _mode("HW-DOCS!8829374.1", said) != "auto"


def test_keeping_the_newest_turns_it_round() -> None:
    said = "delete the duplicate of the Cortland transcript, same file twice. keep the newest"
    assert _mode("HW-DOCS!8829011.1", said) == "auto"
    assert _mode("HW-DOCS!8829374.1", said) != "auto"
