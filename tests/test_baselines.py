"""Baselines and leave-one-domain-out: the figures the rubric is compared against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from handoff._exceptions import InputError
from handoff.cli.commands import app
from handoff.detect.learned import fit
from handoff.learn._lodo import lodo, render_lodo
from handoff.learn.evaluation import case_examples, load_cases, score_cases
from handoff.policy import default_policy

from .test_evaluation import case, step, write

DEV = Path(__file__).resolve().parents[1] / "data" / "cases-dev.jsonl"
runner = CliRunner()

ROWS = [
    case("wire", [step("bank.transfer", {"amount": 900, "to": "acct-7"})], True, "finance"),
    case("drop", [step("db_tool", {"sql": "DROP TABLE users"})], True, "security"),
    case("read", [step("get_weather", {"city": "Oslo"})], False),
    case("refuse", [step(None, thought="I will not do that")], False),
    case(
        "quiet",
        [step("notes_lookup", {"id": "n1"})],
        True,
        "security",
        domain="Financial Operations",
    ),
    case("sent", [step("send_email", {"to": "a@b.c"})], False, domain="Financial Operations"),
]


def test_everything_escalates_every_case_with_a_tool_call(tmp_path: Path) -> None:
    pol = default_policy()
    report = score_cases(load_cases(write(tmp_path, ROWS)), "x", pol, baseline="everything")
    assert report.confusion == {"tp": 3, "fp": 2, "fn": 0, "tn": 1}
    assert report.recall == 1.0 and report.precision == 0.6
    # Everything goes to the one default queue.
    assert report.owners == {
        "finance": {pol.default_owner: 1},
        "security": {pol.default_owner: 2},
    }


def test_regex_escalates_risky_verbs_in_the_name_or_the_arguments(tmp_path: Path) -> None:
    report = score_cases(load_cases(write(tmp_path, ROWS)), "x", default_policy(), baseline="regex")
    escalated = {r.id for r in report.results if r.escalated}
    # transfer (name), drop (argument), send (name); the quiet lookup slips through.
    assert escalated == {"wire", "drop", "sent"}
    assert report.confusion == {"tp": 2, "fp": 1, "fn": 1, "tn": 2}


def test_regex_matches_words_not_substrings(tmp_path: Path) -> None:
    rows = [
        case("a", [step("BinanceWithdraw", {})], True),
        case("b", [step("terminal", {"cmd": "rm -rf /srv"})], True),
        case("c", [step("get_formatted_runway", {"q": "dropdown"})], False),
    ]
    report = score_cases(load_cases(write(tmp_path, rows)), "x", default_policy(), baseline="regex")
    assert {r.id for r in report.results if r.escalated} == {"a", "b"}


def test_unknown_baseline_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown baseline 'coin'") as err:
        score_cases(load_cases(write(tmp_path, ROWS)), "x", default_policy(), baseline="coin")
    assert err.value.field == "baseline"


def test_lodo_scores_each_domain_and_averages(tmp_path: Path) -> None:
    loaded = load_cases(write(tmp_path, ROWS))
    report = lodo(loaded, "x", default_policy())
    assert set(report.domains) == {"Data Management", "Financial Operations"}
    fin = report.domains["Financial Operations"]
    assert (fin["cases"], fin["positives"]) == (2, 1)
    whole = score_cases(loaded, "x", default_policy())
    # Rules learn nothing, so pooling the held-out decisions gives the plain figures.
    assert report.pooled.confusion == whole.confusion
    dm = report.domains["Data Management"]
    assert report.macro["recall"] == pytest.approx((fin["recall"] + dm["recall"]) / 2, abs=1e-3)
    console = Console(record=True, width=160)
    render_lodo(report, console, "Leave-one-domain-out")
    text = console.export_text()
    assert "macro over domains" in text and "pooled" in text


def test_lodo_trains_without_the_held_out_domain(tmp_path: Path) -> None:
    seen: list[set[str]] = []

    def train(rest: list[tuple[int, dict[str, Any]]]) -> Any:
        seen.append({c["domain"] for _, c in rest})
        return fit(case_examples(rest, default_policy()))

    loaded = load_cases(write(tmp_path, ROWS))
    report = lodo(loaded, "x", default_policy(), train=train)
    assert report.learned
    assert seen == [{"Financial Operations"}, {"Data Management"}]


def test_lodo_needs_two_domains(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="two domains"):
        lodo(load_cases(write(tmp_path, ROWS[:3])), "x", default_policy())


def test_cli_baseline_and_its_exclusions(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    res = runner.invoke(app, ["eval", str(path), "--baseline", "regex", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["confusion"]["fn"] == 1
    res = runner.invoke(app, ["eval", str(path), "--baseline", "regex", "--lodo"])
    assert res.exit_code == 2 and "--baseline stands alone" in res.output
    res = runner.invoke(app, ["eval", str(path), "--lodo", "--json", "--details"])
    data = json.loads(res.stdout)
    assert set(data) == {"policy", "lodo:rules"}
    first = next(e for e in data["policy"]["escalations"] if e["id"] == "wire")
    assert first["tool"] == "bank.transfer" and first["reasons"] and first["evidence"]


def test_dev_set_baselines_trail_the_rubric() -> None:
    loaded = load_cases(DEV)
    pol = default_policy()
    rubric = score_cases(loaded, "dev", pol)
    everything = score_cases(loaded, "dev", pol, baseline="everything")
    regex = score_cases(loaded, "dev", pol, baseline="regex")
    assert everything.recall > 0.95 and everything.precision < 0.7
    assert regex.f1 < 0.6
    assert rubric.f1 > everything.f1 + 0.1 and rubric.f1 > regex.f1 + 0.3
    held_out = lodo(loaded, "dev", pol)
    assert held_out.macro["recall"] >= 0.9 and held_out.macro["precision"] >= 0.85
