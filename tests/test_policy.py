"""Policy loading: errors name file, line and path; the version ignores formatting."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff import PolicyError
from handoff.policy import default_policy, load_policy, parse_duration, policy_from_yaml

GOOD = """\
name: small
owners:
  legal:
    members: [lena]
  product:
    members: [priya]
default_owner: product
sla: {low: 1d, medium: 8h, high: 90m}
"""


def test_default_policy_has_five_owner_teams() -> None:
    p = default_policy()
    assert set(p.owners) == {"legal", "security", "finance", "marketing-ops", "product"}
    assert all(p.owners[o].members for o in p.owners)
    assert len(p.version) == 64


def test_errors_name_file_line_and_path(tmp_path: Path) -> None:
    bad = GOOD.replace("members: [lena]", "members: lena")
    f = tmp_path / "policy.yaml"
    f.write_text(bad)
    with pytest.raises(PolicyError) as err:
        load_policy(f)
    assert str(err.value).startswith("policy.yaml:4 owners.legal.members:")
    assert err.value.field == "owners.legal.members"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: [unclosed\n", "policy.yaml:2"),
        ("- a list\n", "policy.yaml:1"),
        (GOOD + "sla: {high: -5m}\n", "policy.yaml:"),
        (GOOD + "quorum: {high: 0}\n", "policy.yaml:9 quorum.high"),
        (GOOD + "surprise: 1\n", "policy.yaml:9 surprise"),
        (GOOD.replace("default_owner: product", "default_owner: nobody"), "policy.yaml:1"),
        (GOOD + "rubric: {medium: 0.9, high: 0.2}\n", "policy.yaml:9 rubric"),
    ],
)
def test_malformed_policies_are_refused(text: str, where: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_yaml(text, "policy.yaml")
    assert str(err.value).startswith(where), str(err.value)


def test_version_ignores_comments_order_and_spelled_out_defaults() -> None:
    a = policy_from_yaml(GOOD)
    reordered = "default_owner: product\n# a comment\n" + GOOD.replace(
        "default_owner: product\n", ""
    )
    b = policy_from_yaml(reordered + "fallback: reject\n")
    assert a.version == b.version
    c = policy_from_yaml(GOOD.replace("90m", "2h"))
    assert c.version != a.version


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "none.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("30m", 1800), ("4h", 14400), ("2d", 172800), (45, 45), ("1w", 604800)],
)
def test_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["-1h", "0", "soon", True, "4 hours"])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


# --- the detect section ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("detect", "where"),
    [
        ("  max_scan_char: 100\n", "policy.yaml:10 detect.max_scan_char: Extra inputs"),
        (
            "  judge: {base_url: 'http://x', model: m, temprature: 1}\n",
            "policy.yaml:10 detect.judge.temprature",
        ),
        ("  max_scan_chars: lots\n", "policy.yaml:10 detect.max_scan_chars:"),
        ("  max_scan_chars: 0\n", "policy.yaml:10 detect.max_scan_chars:"),
        ("  low_confidence: high\n", "policy.yaml:10 detect.low_confidence:"),
        ("  low_confidence: true\n", "policy.yaml:10 detect.low_confidence:"),
        ("  internal_domains: corp.example\n", "policy.yaml:10 detect.internal_domains:"),
        ("  learned_raise: 2\n", "policy.yaml:10 detect.learned_raise:"),
        ("  learned_lower: yes\n", "policy.yaml:10 detect.learned_lower:"),
        ("  learned: 3\n", "policy.yaml:10 detect.learned: expected a file path"),
        ("  judge: {model: m}\n", "policy.yaml:10 detect.judge.base_url:"),
    ],
)
def test_a_bad_detect_key_names_the_key_and_line(detect: str, where: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_yaml(GOOD + "detect:\n" + detect, "policy.yaml")
    assert str(err.value).startswith(where), str(err.value)
    assert err.value.field == where.split(" ")[1].rstrip(":")


def test_detect_is_read_as_written_so_the_default_version_is_unchanged() -> None:
    """The canonical form of ``detect`` is what the file spells out (nothing added when
    every key is given), so policies written before the section was typed keep their
    version; keys left out are the defaults, so spelling them out changes nothing."""
    import yaml

    text = (ROOT / "src" / "handoff" / "default_policy.yaml").read_text("utf-8")
    written = yaml.safe_load(text)["detect"]
    assert default_policy().model_dump(mode="json")["detect"] == written
    spelled = GOOD + "detect: {low_confidence: 0.6, max_scan_chars: 20000, internal_domains: []}\n"
    assert policy_from_yaml(spelled).version == policy_from_yaml(GOOD).version
    assert policy_from_yaml(GOOD + "detect: {max_scan_chars: 100}\n").detect.max_scan_chars == 100


def test_every_policy_in_the_docs_loads() -> None:
    """The YAML policy snippets in docs/ load as they are (a snippet of one section
    loads on its own, as the whole of a policy)."""
    import re

    snippets = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for block in re.findall(r"```yaml\n(.*?)```", doc.read_text("utf-8"), re.DOTALL):
            if re.match(r"(name|detect|rubric|triggers|tools|owners):", block):
                snippets.append((doc.name, block))
    assert snippets
    for name, block in snippets:
        policy_from_yaml(block, name)


@pytest.mark.parametrize("tool", ["iam.list_users", "iam.get_role", "iam.list_mfa_devices"])
def test_the_default_policy_lets_iam_reads_run(tool: str) -> None:
    from tests._assess import assess_call

    assert assess_call(tool, {}, "Show me the IAM users.").mode.value == "auto"


@pytest.mark.parametrize("tool", ["iam.grant", "iam.create_access_key", "iam.put_role_policy"])
def test_the_default_policy_holds_iam_changes_high(tool: str) -> None:
    from tests._assess import assess_call

    assert assess_call(tool, {"user": "kim"}, "").level.value == "high"
