"""The rubric's result models, built without validation.

Every value ``assess`` puts into a ``Finding``, ``Factor`` or ``Assessment`` is made
there, so there is nothing to validate, and these are called several times on every
assessment. Each builder makes the same instance ``cls.model_construct(...)`` would with
every field given (fields in declaration order, ``model_fields_set`` all of them), from
a dict literal rather than a walk over the fields: a third of the time. That holds only
for models with no aliases, no extra fields and no post-init, and only while the
builders name every field in order, which ``_check`` verifies once, at import.
"""

from __future__ import annotations

from pydantic import BaseModel

from ..models import Assessment, Factor, Finding, Level, Mode

__all__ = ["new_assessment", "new_factor", "new_finding"]

_new = object.__new__
_put = object.__setattr__


def _check(cls: type[BaseModel], names: tuple[str, ...]) -> None:
    fields = cls.model_fields
    if (
        tuple(fields) != names
        or any(f.alias or f.validation_alias for f in fields.values())
        or cls.model_config.get("extra") == "allow"
        or cls.__pydantic_post_init__
        or cls.__pydantic_root_model__
    ):
        raise TypeError(f"{cls.__name__} changed: update handoff.detect._builders")


_check(Finding, ("code", "message", "where", "excerpt", "weight"))
_check(Factor, ("name", "score", "reasons"))
_check(
    Assessment,
    (
        "level",
        "score",
        "factors",
        "triggers",
        "owner",
        "mode",
        "quorum",
        "sla_seconds",
        "policy_version",
    ),
)


def new_finding(code: str, message: str, where: str, excerpt: str, weight: float) -> Finding:
    m = _new(Finding)
    _put(
        m,
        "__dict__",
        {"code": code, "message": message, "where": where, "excerpt": excerpt, "weight": weight},
    )
    _put(m, "__pydantic_fields_set__", {"code", "message", "where", "excerpt", "weight"})
    _put(m, "__pydantic_extra__", None)
    _put(m, "__pydantic_private__", None)
    return m


def new_factor(name: str, score: float, reasons: list[Finding]) -> Factor:
    m = _new(Factor)
    _put(m, "__dict__", {"name": name, "score": score, "reasons": reasons})
    _put(m, "__pydantic_fields_set__", {"name", "score", "reasons"})
    _put(m, "__pydantic_extra__", None)
    _put(m, "__pydantic_private__", None)
    return m


def new_assessment(
    level: Level,
    score: float,
    factors: list[Factor],
    triggers: list[Finding],
    owner: str | None,
    mode: Mode,
    quorum: int,
    sla_seconds: int | None,
    policy_version: str,
) -> Assessment:
    m = _new(Assessment)
    values = {
        "level": level,
        "score": score,
        "factors": factors,
        "triggers": triggers,
        "owner": owner,
        "mode": mode,
        "quorum": quorum,
        "sla_seconds": sla_seconds,
        "policy_version": policy_version,
    }
    _put(m, "__dict__", values)
    _put(m, "__pydantic_fields_set__", set(values))
    _put(m, "__pydantic_extra__", None)
    _put(m, "__pydantic_private__", None)
    return m
