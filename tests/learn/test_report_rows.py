"""The oversight report's decision table, written out in Python for speed, reads
exactly as the Jinja loop it replaced; the report reads the history once."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment

from handoff.learn._fact import Fact, FactAction, FactAssessment, FactContext, FactPackage
from handoff.learn._record import DecisionView
from handoff.learn.history import History, Window, stream_history
from handoff.learn.report import ROW_FIELDS, decision_rows, row_html, write_report
from handoff.models import Level, Mode, State, Verdict
from handoff.policy import default_policy
from handoff.testing import FakeClock, memory_plane

from ._history import build

#: The table's row as the template wrote it before (autoescaped).
_JINJA_ROW = """{% for r in rows %}<tr><td><code>{{ r.handoff_id }}</code></td><td>{{ r.tool }}</td>
<td>{{ r.owner }}</td><td>{{ r.level }} / {{ r.mode }}</td><td>{{ r.created_at[:16] }}</td>
<td>{{ r.reviewer or '(none: ' ~ r.mode ~ ')' }}</td><td>{{ r.verdict }}</td>
<td>{{ r.decided_at[:16] }}</td><td>{{ r.rationale }}</td>
<td>{{ r.triggers }}{% if r.evidence %}<br>evidence: {{ r.evidence }}{% endif %}</td>
<td><code>{{ r.policy_version[:12] }}</code></td><td>{{ r.sla_met }}</td><td>{{ r.state }}</td>
<td>{{ r.incidents or '' }}</td></tr>
{% endfor %}"""

_text = st.text(alphabet=st.sampled_from("ab<>&\"' é\n\t\u202e\x00-:T0123456789"), max_size=30)
_row = st.fixed_dictionaries(
    {f: _text for f in ROW_FIELDS if f != "incidents"} | {"incidents": st.integers(0, 3)}
)


@settings(max_examples=300)
@given(rows=st.lists(_row, max_size=4))
def test_a_row_reads_as_the_template_wrote_it(rows: list[dict[str, Any]]) -> None:
    template = Environment(autoescape=True).from_string(_JINJA_ROW)
    assert "".join(row_html(r) for r in rows) == template.render(rows=rows)


def test_the_report_table_and_csv_hold_every_decision_row_in_order(tmp_path: Path) -> None:
    clock = FakeClock()
    built = build(memory_plane(clock=clock), clock)
    history = stream_history(built.plane.store, as_of=clock.now(), size=2)
    expected = list(decision_rows(history))
    assert len(expected) >= 9
    write_report(history, default_policy(), tmp_path)
    with (tmp_path / "decisions.csv").open(newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert got == [{k: str(v) for k, v in r.items()} for r in expected]
    page = (tmp_path / "report.html").read_text("utf-8")
    table = page[page.index("<h2>Decisions</h2>") : page.index("<h2>Incidents</h2>")]
    assert "".join(row_html(r) for r in expected) in table


_free = st.text(alphabet=st.sampled_from("ab<>&\"' ,;\r\n\t\u202e-:"), max_size=12)
_MARKUP = "<script>alert('x')</script> & \"q\", a,\r\nb"


def _fact(hid: str, tool: str, agent: str, owner: str, version: str, words: list[str]) -> Fact:
    """A handoff with ``words`` in every free-text field (codes, evidence, decisions)."""
    at = datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)
    codes, sources = json.dumps(words), json.dumps(words[::-1])
    decisions = tuple(
        DecisionView(v, w, w + w, w, w, at + timedelta(minutes=i), w)
        for i, (v, w) in enumerate(zip([Verdict.REJECT, Verdict.APPROVE], words, strict=False))
    )
    return Fact(
        hid,
        FactAction(tool, agent, None, FactContext(sources)),
        "hash",
        FactAssessment(Level.HIGH, Mode.REVIEW, owner, 1, version, codes),
        FactPackage(json.dumps(words)),
        owner,
        State.REJECTED if decisions else State.PENDING,
        at + timedelta(hours=1),
        decisions,
        None,
        at - timedelta(hours=1),
    )


def _written(tmp_path: Path, facts: list[Fact]) -> tuple[bytes, bytes, str]:
    """decisions.csv as written, as ``csv.writer`` writes ``decision_rows``, and the
    page's decision table."""
    at = datetime(2026, 2, 1, tzinfo=UTC)
    history = History(Window(), at, list(facts))
    expected = list(decision_rows(history))
    want = io.StringIO(newline="")
    writer = csv.writer(want)
    writer.writerow(ROW_FIELDS)
    writer.writerows(r.values() for r in expected)
    write_report(history, default_policy(), tmp_path)
    page = (tmp_path / "report.html").read_bytes().decode("utf-8")  # \r kept
    table = page[page.index("<h2>Decisions</h2>") : page.index("<h2>Incidents</h2>")]
    assert table.count("<tr>") == len(expected) + 1
    assert "".join(row_html(r) for r in expected) in table
    return (tmp_path / "decisions.csv").read_bytes(), want.getvalue().encode(), table


def test_markup_in_every_free_text_field_is_escaped_and_quoted(tmp_path: Path) -> None:
    words = [_MARKUP, "plain"]
    facts = [
        _fact(_MARKUP, _MARKUP, _MARKUP, _MARKUP, _MARKUP, words),
        _fact("h_plain", "cms.publish", "mk", "team", "v1", []),
        _fact("h-dashed<b>", "t", "a", "o", "v", words[::-1]),
    ]
    got, want, table = _written(tmp_path, facts)
    assert got == want
    assert "<script>" not in table and "&lt;script&gt;" in table


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(_free, min_size=5, max_size=5),
    words=st.lists(_free, max_size=3),
)
def test_the_csv_is_what_csv_writer_writes(
    tmp_path_factory: pytest.TempPathFactory, values: list[str], words: list[str]
) -> None:
    hid, tool, agent, owner, version = values
    facts = [_fact(hid, tool, agent, owner, version, words), _fact("h_1", "t", "a", "", "", [])]
    got, want, _ = _written(tmp_path_factory.mktemp("report"), facts)
    assert got == want
