"""The oversight report's decision table, written out in Python for speed, reads
exactly as the Jinja loop it replaced; the report reads the history once."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment

from handoff.learn.history import stream_history
from handoff.learn.report import ROW_FIELDS, decision_rows, row_html, write_report
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
