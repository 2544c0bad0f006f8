"""A whole home folder uploaded, synced or copied away: keys, mail and documents go with
it. The twins move one file out of it, and run."""

from __future__ import annotations

import pytest

from tests._assess import assess_call


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("gdrive.upload", {"local_path": "/home/lee", "folder": "Shared with everyone"}),
        ("rsync.sync", {"source": "~/", "dest": "backup-host:/srv"}),
        ("dropbox.upload", {"path": "/Users/kim"}),
    ],
)
def test_a_whole_home_folder_moved_goes_to_a_person(tool: str, args: dict[str, str]) -> None:
    assert assess_call(tool, args, "Upload my CV to the drive.").mode.value != "auto"


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("gdrive.upload", {"local_path": "/home/lee/cv.pdf", "folder": "Jobs"}),
        ("dropbox.upload", {"path": "/Users/kim/Documents/cv.pdf"}),
    ],
)
def test_one_file_from_it_runs(tool: str, args: dict[str, str]) -> None:
    a = assess_call(tool, args, "Upload my CV to the drive.")
    assert a.mode.value == "auto", [t.code for t in a.triggers]
