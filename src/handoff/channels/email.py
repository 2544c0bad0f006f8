"""Email over SMTP: a short note with a link that opens the handoff page.

The link only opens the page (behind login); it decides nothing, so a mail scanner
that follows every link cannot approve anything.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from ..cli._render import visible
from ..models import Handoff

__all__ = ["compose", "send"]


def _line(value: str, limit: int = 200) -> str:
    """One header-safe line of untrusted text, invisible and bidi characters spelled out."""
    flat = visible(" ".join(value.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def compose(h: Handoff, kind: str, link: str, sender: str, to: str, msg_id: str) -> EmailMessage:
    """The message for one notification; ``msg_id`` is stable across retries."""
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, to
    msg["Subject"] = _line(f"[handoff] {kind}: {h.action.tool} ({h.assessment.level.value})")
    msg["Message-ID"] = f"<{msg_id}@handoff>"
    summary = h.package.summary if h.package is not None else ""
    lines = [
        _line(f"{kind}: {h.action.tool} requested by {h.action.agent}"),
        f"risk: {h.assessment.level.value}   owner: {h.owner}   state: {h.state.value}",
    ]
    if h.deadline is not None:
        lines.append(f"deadline: {h.deadline.isoformat(timespec='minutes')}")
    if summary:
        lines += ["", _line(summary, 2000)]
    lines += ["", f"Open the handoff to decide: {link}", ""]
    msg.set_content("\n".join(lines))
    return msg


def send(
    msg: EmailMessage,
    host: str,
    port: int,
    *,
    starttls: bool = False,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 10.0,
) -> None:
    """Hand one message to the SMTP server; raises on any refusal."""
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        if starttls:
            smtp.starttls()
        if username:
            smtp.login(username, password or "")
        smtp.send_message(msg)
