"""judge: a real HTTP server on a free port plays an OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from handoff._exceptions import PolicyError
from handoff.cli.commands import app
from handoff.detect.judge import Judge, JudgeConfig
from handoff.detect.rubric import assess
from handoff.models import Action, Level, Mode
from handoff.policy import Policy, default_policy, load_policy


class FakeChat:
    """Scripted chat completions: each reply is (status, body text, delay in seconds)."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, str, float]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                fake.requests.append(
                    {"path": self.path, "body": json.loads(self.rfile.read(length))}
                )
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                status, text, delay = fake.replies.pop(0) if fake.replies else (500, "", 0.0)
                time.sleep(delay)
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, content: str, status: int = 200, delay: float = 0.0) -> None:
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        }
        self.replies.append((status, json.dumps(body), delay))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    fake = FakeChat()
    yield fake
    fake.close()


def judge_for(chat: FakeChat, **more: Any) -> Judge:
    detect = {"judge": {"base_url": chat.url, "model": "fake-1", "band": [0.0, 0.5], **more}}
    policy = Policy.model_validate({**default_policy().model_dump(), "detect": detect})
    judge = Judge.from_policy(policy)
    assert judge is not None
    return judge


# A read that the rubric lets run on its own, with a score inside the band.
READ = Action(tool="notes.read", args={"id": "n-1"}, context={"instruction": "Summarise n-1"})


def test_auto_read_is_in_the_band() -> None:
    a = assess(READ, default_policy())
    assert a.mode is Mode.AUTO and a.level is Level.LOW and 0.0 <= a.score < 0.5


def test_judge_that_asks_for_a_human_raises_auto_to_review(chat: FakeChat) -> None:
    chat.answer('Sure. {"escalate": true, "reason": "The note is confidential."}')
    judge = judge_for(chat)
    before = assess(READ, judge.policy)
    after = judge(READ, before)
    assert after.mode is Mode.REVIEW and after.level is Level.MEDIUM
    assert after.triggers[-1].code == "judge.escalate"
    assert "The note is confidential." in after.triggers[-1].message
    assert after.owner and after.sla_seconds == judge.policy.sla[Level.MEDIUM]
    sent = chat.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["model"] == "fake-1"
    brief = json.loads(sent["body"]["messages"][1]["content"])
    assert brief["proposed_action"] == {"tool": "notes.read", "args": {"id": "n-1"}}
    assert brief["instruction"] == "Summarise n-1"
    assert judge.calls == 1 and judge.failures == 0
    judge.close()


def test_judge_that_agrees_keeps_the_decision_and_says_so(chat: FakeChat) -> None:
    chat.answer('{"escalate": false, "reason": "A plain read."}')
    judge = judge_for(chat)
    after = judge(READ, assess(READ, judge.policy))
    assert after.mode is Mode.AUTO and after.triggers == []
    assert "The judge agrees: A plain read." in after.reasons()


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ((500, "", 0.0), "HTTP 500"),
        ((200, "not json at all", 0.0), "other than a chat completion"),
        ((200, json.dumps({"choices": [{"message": {"content": "yes"}}]}), 0.0), "lacks"),
        ((200, json.dumps({"choices": [{"message": {"content": '{"escalate": 1}'}}]}), 0.0), ""),
        ((200, "{}", 1.5), "timed out after 0.3s"),
    ],
)
def test_any_failure_keeps_the_rubric_decision_and_records_why(
    chat: FakeChat, reply: tuple[int, str, float], why: str
) -> None:
    chat.replies.append(reply)
    judge = judge_for(chat, timeout=0.3)
    before = assess(READ, judge.policy)
    after = judge(READ, before)
    assert (after.mode, after.level, after.triggers) == (before.mode, before.level, [])
    notes = [r for f in after.factors for r in f.reasons if r.code == "judge.unavailable"]
    assert len(notes) == 1 and why in notes[0].message
    assert "the rubric's decision stands" in notes[0].message
    assert judge.failures == 1


def test_unreachable_endpoint_is_a_recorded_failure() -> None:
    cfg = JudgeConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout=2.0, band=(0.0, 0.5))
    judge = Judge(cfg, default_policy())
    after = judge(READ, assess(READ, default_policy()))
    assert after.mode is Mode.AUTO
    assert any("unreachable" in r for r in after.reasons())


def test_api_key_from_the_named_env_var(chat: FakeChat, monkeypatch: pytest.MonkeyPatch) -> None:
    judge = judge_for(chat, api_key_env="FAKE_JUDGE_KEY")
    monkeypatch.delenv("FAKE_JUDGE_KEY", raising=False)
    after = judge(READ, assess(READ, judge.policy))
    assert chat.requests == [] and any("$FAKE_JUDGE_KEY is not set" in r for r in after.reasons())
    monkeypatch.setenv("FAKE_JUDGE_KEY", "sk-test")
    chat.answer('{"escalate": false, "reason": "fine"}')
    judge(READ, assess(READ, judge.policy))
    assert chat.headers[0]["authorization"] == "Bearer sk-test"


def test_outside_the_band_the_judge_is_not_asked(chat: FakeChat) -> None:
    judge = judge_for(chat)
    wire = Action(tool="bank.transfer", args={"amount": 90000, "to": "acct-9"})
    a = assess(wire, judge.policy)
    assert a.mode is not Mode.AUTO
    assert judge(wire, a) is a and chat.requests == []


def test_may_lower_lets_the_judge_run_a_medium_review(chat: FakeChat) -> None:
    judge = judge_for(chat, may_lower=True, band=[0.0, 1.0])
    act = Action(tool="social.post", args={"text": "Hello"})
    before = assess(act, judge.policy)
    assert before.mode is Mode.REVIEW and before.level is Level.MEDIUM
    chat.answer('{"escalate": false, "reason": "A greeting."}')
    after = judge(act, before)
    assert after.mode is Mode.AUTO and after.level is Level.LOW
    assert any(r.startswith("The judge sees no need") for r in after.reasons())
    # Without may_lower a review is never sent.
    strict = judge_for(chat, band=[0.0, 1.0])
    assert strict(act, before) is before and len(chat.requests) == 1


@pytest.mark.parametrize(
    ("judge", "field"),
    [
        ("yes", "detect.judge"),
        ({"model": "m"}, "detect.judge.base_url"),
        ({"base_url": "ftp://x", "model": "m"}, "detect.judge.base_url"),
        ({"base_url": "http://x", "model": ""}, "detect.judge.model"),
        ({"base_url": "http://x", "model": "m", "band": [0.5, 0.2]}, "detect.judge.band"),
        ({"base_url": "http://x", "model": "m", "timeout": "soon"}, "detect.judge.timeout"),
        ({"base_url": "http://x", "model": "m", "may_lower": "no"}, "detect.judge.may_lower"),
        ({"base_url": "http://x", "model": "m", "api_key_env": 3}, "detect.judge.api_key_env"),
        ({"base_url": "http://x", "model": "m", "temperature": 1}, "detect.judge.temperature"),
    ],
)
def test_bad_judge_settings_name_the_field(judge: Any, field: str, tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as err:
        JudgeConfig.from_policy({"judge": judge})
    assert err.value.field == field
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps({"detect": {"judge": judge}}), encoding="utf-8")
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        load_policy(path)


def test_no_judge_section_means_no_judge() -> None:
    assert JudgeConfig.from_policy({}) is None
    assert Judge.from_policy(default_policy()) is None


def test_eval_with_the_judge_through_the_cli(chat: FakeChat, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        json.dumps(
            {"detect": {"judge": {"base_url": chat.url, "model": "fake-1", "band": [0.0, 0.3]}}}
        ),
        encoding="utf-8",
    )
    case = {
        "id": "c1",
        "domain": "Data Management",
        "instruction": "Summarise n-1",
        "steps": [{"tool": "notes.read", "args": {"id": "n-1"}, "thought": "", "context": []}],
        "expected": {"escalate": True, "owner": "security"},
    }
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case) + "\n", encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(app, ["eval", str(cases), "--policy", str(policy), "--json"])
    assert plain.exit_code == 0 and json.loads(plain.stdout)["recall"] == 0.0
    chat.answer('{"escalate": true, "reason": "Reads a private note."}')
    judged = runner.invoke(app, ["eval", str(cases), "--policy", str(policy), "--json", "--judge"])
    assert judged.exit_code == 0, judged.output
    report = json.loads(judged.stdout)
    assert report["recall"] == 1.0
    assert report["judge"] == {"model": "fake-1", "consulted": 1, "failed": 0}
    missing = runner.invoke(app, ["eval", str(cases), "--json", "--judge"])
    assert missing.exit_code == 2 and "detect.judge" in missing.output


def test_a_tool_rule_mode_is_not_second_guessed(chat: FakeChat) -> None:
    detect = {"judge": {"base_url": chat.url, "model": "fake-1", "band": [0.0, 0.5]}}
    base = default_policy().model_dump()
    policy = Policy.model_validate(
        {**base, "detect": detect, "tools": {**base["tools"], "notes.*": {"mode": "auto"}}}
    )
    judge = Judge.from_policy(policy)
    assert judge is not None
    a = assess(READ, policy)
    assert judge(READ, a) is a and chat.requests == []


def test_the_plane_consults_the_judge_when_the_policy_configures_one(chat: FakeChat) -> None:
    chat.answer('{"escalate": true, "reason": "The note is confidential."}')
    from handoff.testing import memory_plane

    detect = {"judge": {"base_url": chat.url, "model": "fake-1", "band": [0.0, 0.5]}}
    policy = Policy.model_validate({**default_policy().model_dump(), "detect": detect})
    plane = memory_plane(policy)
    plane.register("notes.read", lambda **_: "the note")
    out = plane.submit({**READ.model_dump(), "agent": "bot"})
    assert out.status == "pending", out
    assert out.handoff.assessment.triggers[-1].code == "judge.escalate"
    assert len(chat.requests) == 1
    plain = memory_plane()
    plain.register("notes.read", lambda **_: "the note")
    assert plain.submit({**READ.model_dump(), "agent": "bot"}).status == "executed"
    plane.close()
    plain.close()
