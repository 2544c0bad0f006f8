"""The short form of tamper-100: every attack on a real log is detected and located."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from handoff.audit.checkpoint import generate_key
from reliability import tamper


def test_every_attack_is_detected_and_located() -> None:
    res = tamper.run(runs=2, events=150, every=30, seed=7)
    for kind in tamper.ATTACKS:
        assert res.runs[kind] == res.detected[kind] == res.located[kind] == 2, kind
    assert "| **all** | 14 | 14 | 14 | 0 |" in tamper.table(res, 2)


def test_an_untouched_copy_is_not_reported(tmp_path: Path) -> None:
    key, cps, db = tmp_path / "audit.key", tmp_path / "cps", tmp_path / "real.db"
    generate_key(key)
    size = tamper.build(db, key, cps, 80, 20)
    copy = tmp_path / "copy.db"
    shutil.copyfile(db, copy)
    pub = tmp_path / "audit.key.pub"
    assert tamper.check(copy, cps, pub, first_bad=size) == (False, False)
    first_bad = tamper.attack(copy, "recompute", size, random.Random(3))
    assert tamper.check(copy, cps, pub, first_bad) == (True, True)


def test_a_forged_approval_is_named_by_its_handoff(tmp_path: Path) -> None:
    key, cps, db = tmp_path / "audit.key", tmp_path / "cps", tmp_path / "real.db"
    generate_key(key)
    tamper.build(db, key, cps, 80, 20)
    hid = tamper.attack(db, "approve", 80, random.Random(5))
    assert isinstance(hid, str)
    assert tamper.check(db, cps, tmp_path / "audit.key.pub", hid) == (True, True)
    assert tamper.check(db, cps, tmp_path / "audit.key.pub", "h_other") == (True, False)


def test_the_figures_replace_their_own_section_only(tmp_path: Path) -> None:
    docs = tmp_path / "RELIABILITY.md"
    docs.write_text("# Reliability\n\n<!-- crash:start -->\ncrash\n<!-- crash:end -->\n")
    tamper.write_docs("first", docs)
    tamper.write_docs("second", docs)
    body = docs.read_text()
    assert "crash\n" in body and "second" in body and "first" not in body
    assert body.count("<!-- tamper:start -->") == 1
