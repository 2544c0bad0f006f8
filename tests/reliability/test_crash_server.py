"""The short form of crash-100: three SIGKILLs of a loaded server, per database."""

from __future__ import annotations

from reliability import crash_server


def test_nothing_acknowledged_is_lost_across_kills(db_kind: str) -> None:
    res = crash_server.run(3, db_kind, seed=5)
    assert res.failures == []
    assert res.kills == res.restarts == 3
    assert res.submits > 0 and res.decisions > 0
    assert res.handoffs >= res.submits
    assert res.chain_ok
    assert res.integrity == ("ok" if db_kind == "sqlite" else "n/a")


def test_a_lost_acknowledgement_is_reported() -> None:
    """The audit is not blind: an acknowledged submit the database lacks is a failure."""
    import tempfile
    from pathlib import Path

    from reliability.serving import database, prepare

    with tempfile.TemporaryDirectory() as tmp, database("sqlite", Path(tmp)) as url:
        prepare(url, Path(tmp), agents=["bot"], reviewers=["r0"])
        log = crash_server.Log()
        log.submits["crash-0-0"] = ("h_never_stored", 0)
        log.decisions["h_never_stored"] = ("r0", "approve")
        res = crash_server.Result("sqlite")
        crash_server.audit_log(url, log, res)
    assert any("crash-0-0" in f for f in res.failures)
    assert any("approve of h_never_stored is missing" in f for f in res.failures)
