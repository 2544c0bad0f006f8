"""Every method of the Store and Tx protocols is called by the contract suite, so a
new store method cannot ship untested on one of the two databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handoff.store import Store, Tx

_SUITE = sorted(Path(__file__).parent.glob("test_*.py"))


def _methods(protocol: type) -> list[str]:
    return sorted(n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_"))


@pytest.mark.parametrize("protocol", [Store, Tx], ids=lambda p: p.__name__)
def test_every_protocol_method_has_a_contract_test(protocol: type) -> None:
    text = "\n".join(p.read_text() for p in _SUITE if p.name != Path(__file__).name)
    untested = [n for n in _methods(protocol) if not re.search(rf"\.{n}\(", text)]
    assert untested == [], f"no contract test calls {protocol.__name__}.{untested}"


def test_the_protocols_are_read() -> None:
    assert {"write", "user_add", "gauges"} <= set(_methods(Store))
    assert {"insert", "passkey_add"} <= set(_methods(Tx))
