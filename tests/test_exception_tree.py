"""The drawn exception tree is the code: every class is in the drawing, under its
parent, with the code, HTTP status and CLI exit code it really has, and the client
raises the same class back for its code."""

from __future__ import annotations

import re

import pytest

from handoff import _exceptions
from handoff._exceptions import HandoffError
from handoff.cli._common import exit_code
from handoff.client import _ERRORS
from handoff.server.errors import status_of

_ROW = re.compile(r"^    ([│ ]*)(?:[├└]── )?(\w+)\s+(\w+)\s+(\d{3})\s+(\d)\s", re.M)


def _drawn() -> dict[str, tuple[int, str, int, int]]:
    """name -> (depth, code, status, exit), read from the module docstring."""
    doc = _exceptions.__doc__ or ""
    out = {}
    for m in _ROW.finditer(doc):
        depth = len(m.group(1)) // 4 + (0 if m.group(2) == "HandoffError" else 1)
        out[m.group(2)] = (depth, m.group(3), int(m.group(4)), int(m.group(5)))
    return out


def _classes() -> list[type[HandoffError]]:
    return [getattr(_exceptions, n) for n in _exceptions.__all__]


def test_every_class_is_drawn_and_nothing_else() -> None:
    drawn = _drawn()
    assert set(drawn) - {"HandoffError"} == {c.__name__ for c in _classes()} - {"HandoffError"}


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_the_drawing_matches_the_class(cls: type[HandoffError]) -> None:
    if cls is HandoffError:
        return
    depth, code, status, exit_ = _drawn()[cls.__name__]
    exc = cls("x")
    assert (cls.code, status_of(exc), exit_code(exc)) == (code, status, exit_)
    assert _ERRORS[code] is cls
    parent = cls.__mro__[1]
    assert parent is HandoffError or _drawn()[parent.__name__][0] == depth - 1


def test_codes_are_unique() -> None:
    codes = [c.code for c in _classes()]
    assert len(codes) == len(set(codes))
