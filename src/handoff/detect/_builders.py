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

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..models import Assessment, Factor, Finding, Level, Mode

__all__ = ["new_assessment", "new_factor", "new_finding"]

_new = object.__new__


def _setter(slot: str) -> Callable[[Any, Any], None]:
    """The setter of one of ``BaseModel``'s slots, called directly: a little less than
    ``object.__setattr__``, which looks the slot up by name on every call."""
    found = BaseModel.__dict__.get(slot)
    if found is not None and hasattr(found, "__set__"):
        return found.__set__  # type: ignore[no-any-return]
    return lambda m, value: object.__setattr__(m, slot, value)


_set_dict = _setter("__dict__")
_set_fields = _setter("__pydantic_fields_set__")
_set_extra = _setter("__pydantic_extra__")
_set_private = _setter("__pydantic_private__")


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
    _set_dict(
        m, {"code": code, "message": message, "where": where, "excerpt": excerpt, "weight": weight}
    )
    _set_fields(m, {"code", "message", "where", "excerpt", "weight"})
    _set_extra(m, None)
    _set_private(m, None)
    return m


def new_factor(name: str, score: float, reasons: list[Finding]) -> Factor:
    m = _new(Factor)
    _set_dict(m, {"name": name, "score": score, "reasons": reasons})
    _set_fields(m, {"name", "score", "reasons"})
    _set_extra(m, None)
    _set_private(m, None)
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
    _set_dict(m, values)
    _set_fields(m, set(values))
    _set_extra(m, None)
    _set_private(m, None)
    return m
