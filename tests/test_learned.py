"""learned: fit, save, load, attach to a policy, change decisions, and the CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from handoff._exceptions import InputError, PolicyError
from handoff.cli.commands import app
from handoff.detect.detectors import ActionView
from handoff.detect.learned import Example, LearnedModel, features, fit, load_model, save_model
from handoff.detect.rubric import assess
from handoff.models import Action, Mode
from handoff.policy import default_policy, load_policy, policy_from_yaml

runner = CliRunner()


def act(tool: str, instruction: str, **args: Any) -> Action:
    return Action(tool=tool, args=args, context={"instruction": instruction})


def examples() -> list[Example]:
    """Risky "frobnicate" requests versus plain reads, differing in words the rules ignore."""
    out = []
    for i in range(30):
        out.append(
            Example(act("quill_update", f"frobnicate the widget {i} quickly", dest=f"x{i}"), True)
        )
        out.append(Example(act("notes_lookup", f"summarise the memo {i}", id=f"m{i}"), False))
    return out


def p_of(model: LearnedModel, action: Action) -> float:
    return model.probability(features(ActionView.of(action, 20_000), (), "low"))


def test_fit_separates_what_it_was_shown() -> None:
    model = fit(examples())
    assert p_of(model, act("quill_update", "frobnicate the widget 99 quickly", dest="y")) > 0.9
    assert p_of(model, act("notes_lookup", "summarise the memo 99", id="m99")) < 0.1
    assert model.meta["examples"] == 60 and model.meta["positives"] == 30


def test_a_trajectory_label_lands_on_its_most_suspicious_step() -> None:
    # Bad runs search first, then frobnicate; good runs only search. Labelled per run.
    rows = []
    for i in range(20):
        search = act("web_search", f"find widget {i} specs", q=f"widget {i}")
        bad = act("quill_update", f"find widget {i} specs", dest=f"x{i}")
        rows += [
            Example(search, True, weight=0.5, group=f"bad{i}"),
            Example(bad, True, weight=0.5, group=f"bad{i}"),
            Example(search, False, group=f"good{i}"),
        ]
    model = fit(rows)
    assert model.meta["positives"] == 20  # one step per bad run
    probe = "find widget 99 specs"
    assert p_of(model, act("quill_update", probe, dest="y")) > 0.8
    assert p_of(model, act("web_search", probe, q="widget 99")) < 0.3


def test_fit_is_deterministic_and_needs_both_labels() -> None:
    assert fit(examples()).sha256 == fit(examples()).sha256
    with pytest.raises(InputError, match="both labels"):
        fit([e for e in examples() if e.label])
    with pytest.raises(InputError, match="no examples"):
        fit([])


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = fit(examples(), raise_at=0.8, lower_below=0.05)
    path = tmp_path / "model.json"
    save_model(model, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "handoff-learned/1"
    assert data["hashing"] == {"function": "crc32", "dim_bits": 18, "features": "named"}
    back = load_model(path)
    assert back.sha256 == model.sha256
    assert (back.raise_at, back.lower_below) == (0.8, 0.05)
    probe = act("quill_update", "copy it", dest="z")
    assert p_of(back, probe) == pytest.approx(p_of(model, probe))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "pickle"}, "format"),
        ({"hashing": {"function": "md5", "dim_bits": 18}}, "hashing.function"),
        ({"hashing": {"function": "crc32", "dim_bits": 40}}, "hashing"),
        ({"weights": []}, "weights"),
        ({"weights": {"12": "x"}}, "weights"),
        ({"weights": {str(1 << 20): 1.0}}, "weights"),
        ({"bias": None}, "bias"),
        ({"raise_at": 0}, "raise_at"),
        ({"raise_at": True}, "raise_at"),
        ({"lower_below": 1.5}, "lower_below"),
        ({"lower_below": "low"}, "lower_below"),
    ],
)
def test_bad_model_files_name_the_field(tmp_path: Path, change: dict[str, Any], field: str) -> None:
    path = tmp_path / "m.json"
    save_model(fit(examples()), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, **change}), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_model(path)
    assert err.value.field == field


def test_unreadable_model_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_model(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        load_model(tmp_path / "bad.json")


def test_the_policy_names_the_model_relative_to_its_file(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    save_model(fit(examples()), tmp_path / "models" / "m.json")
    path = tmp_path / "policy.yaml"
    path.write_text("detect:\n  learned: models/m.json\n  learned_raise: 0.7\n", encoding="utf-8")
    pol = load_policy(path)
    assert isinstance(pol.learned, LearnedModel)
    assert default_policy().learned is None
    res = runner.invoke(app, ["policy", "check", str(path)])
    assert res.exit_code == 0 and f"learned model {pol.learned.sha256[:16]}" in res.stdout
    path.write_text("detect:\n  learned: models/missing.json\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"detect\.learned: .*cannot read") as err:
        load_policy(path)
    assert err.value.field == "detect.learned"
    path.write_text("detect:\n  learned: models/m.json\n  learned_raise: 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"detect\.learned_raise"):
        load_policy(path)
    path.write_text("detect:\n  learned: 3\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"detect\.learned: expected a file path"):
        load_policy(path)


def test_a_confident_model_raises_an_auto_action_to_review() -> None:
    probe = act("quill_update", "frobnicate the widget 99 quickly", dest="y")
    rules = default_policy()
    plain = assess(probe, rules)
    assert plain.mode is Mode.AUTO
    model = fit(examples(), raise_at=0.9)
    raised = assess(probe, rules.with_learned(model))
    assert raised.mode is Mode.REVIEW and raised.level.value == "medium"
    finding = raised.triggers[-1]
    assert finding.code == "learned.risk" and "learned p=" in finding.message
    assert "tool:quill" in finding.message or "ins:widget" in finding.message
    # The rules-only policy's cached plan is untouched by the copy with a model.
    assert assess(probe, rules).mode is Mode.AUTO
    # Below the threshold nothing changes.
    never = dataclasses.replace(model, raise_at=1.0)
    assert assess(probe, rules.with_learned(never)).mode is Mode.AUTO


def test_a_tool_rule_mode_is_the_policys_word() -> None:
    pol = policy_from_yaml("tools:\n  quill_update:\n    mode: auto\n")
    probe = act("quill_update", "frobnicate the widget 99 quickly", dest="y")
    assert assess(probe, pol.with_learned(fit(examples()))).mode is Mode.AUTO


def test_lower_below_runs_a_plain_medium_review_and_says_why() -> None:
    post = Action(tool="social.post", args={"text": "Hello"})
    rules = default_policy()
    before = assess(post, rules)
    assert before.mode is Mode.REVIEW and before.level.value == "medium"
    model = dataclasses.replace(fit(examples()), lower_below=0.99, raise_at=1.0)
    after = assess(post, rules.with_learned(model))
    assert after.mode is Mode.AUTO and after.level.value == "low"
    assert any(r.startswith("Unlike actions that needed a human") for r in after.reasons())
    # A high-level action is never lowered.
    wire = Action(tool="bank.transfer", args={"amount": 90000, "to": "acct-9"})
    assert assess(wire, rules.with_learned(model)).mode is assess(wire, rules).mode


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_learn_fit_reads_cases_and_labelled_actions(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = []
    for i in range(12):
        rows.append(
            {
                "id": f"c{i}",
                "domain": "Data Management" if i % 2 else "Financial Operations",
                "instruction": f"frobnicate the widget {i} quickly",
                "steps": [{"tool": "quill_update", "args": {"dest": f"x{i}"}, "thought": ""}],
                "expected": {"escalate": True, "owner": "security"},
            }
        )
        rows.append(
            {
                "action": {
                    "tool": "notes_lookup",
                    "args": {"id": f"m{i}"},
                    "context": {"instruction": f"summarise the memo {i}"},
                },
                "label": False,
                "weight": 2,
                "handoff_id": f"h-{i}",  # extra keys (from a decision export) are ignored
            }
        )
    data = write_lines(tmp_path / "train.jsonl", rows)
    out = tmp_path / "m.json"
    res = runner.invoke(app, ["learn", "fit", str(data), "-o", str(out), "--raise-at", "0.9"])
    assert res.exit_code == 0, res.output
    assert "24 examples (12 labelled escalate)" in res.stdout
    model = load_model(out)
    assert model.raise_at == 0.9 and model.meta["source"] == "train.jsonl"

    negatives = [
        {
            "id": f"n{i}",
            "domain": "Data Management" if i % 2 else "Financial Operations",
            "instruction": f"summarise the memo {i}",
            "steps": [{"tool": "notes_lookup", "args": {"id": f"m{i}"}, "thought": ""}],
            "expected": {"escalate": False},
        }
        for i in range(12)
    ]
    cases = write_lines(tmp_path / "cases.jsonl", [r for r in rows if "steps" in r] + negatives)
    res = runner.invoke(app, ["eval", str(cases), "--learned", str(out), "--lodo", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert set(report) == {"rules", "rules+learned", "lodo:rules", "lodo:rules+learned"}
    assert report["rules"]["recall"] == 0.0 and report["rules+learned"]["recall"] == 1.0
    assert set(report["lodo:rules+learned"]["domains"]) == {
        "Data Management",
        "Financial Operations",
    }
    res = runner.invoke(app, ["eval", str(cases), "--learned", str(out)])
    assert res.exit_code == 0 and "rules+learned" in res.stdout


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ({"action": {"tool": "a"}, "label": "yes"}, "label must be true or false"),
        ({"action": {"tool": "a"}, "label": True, "weight": 0}, "weight must be a positive"),
        ({"action": {"tool": "not a tool!"}, "label": True}, "action.tool"),
        ({"steps": [{"tool": "a", "args": {}}], "expected": {}}, "expected.escalate"),
    ],
)
def test_learn_fit_names_the_bad_line(tmp_path: Path, row: dict[str, Any], needle: str) -> None:
    good = {"action": {"tool": "a"}, "label": False}
    data = write_lines(tmp_path / "train.jsonl", [good, row])
    out = tmp_path / "m.json"
    res = runner.invoke(app, ["learn", "fit", str(data), "-o", str(out)])
    assert res.exit_code == 2
    assert "train.jsonl:2" in res.output and needle in res.output
    assert not out.exists()
