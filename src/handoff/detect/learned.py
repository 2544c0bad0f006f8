"""The learned detector: a small logistic regression over hashed features of an action.

The rules say *why* an action needs a human; the learned detector says how much an
action looks like the ones that needed a human before. It reads what the rules read
(the tool name's words, the argument keys and values, the instruction, the agent's
thought, mid-run messages) plus the trigger codes the rules fired and the rubric's
level, hashes each feature into a fixed-size space, and scores ``p`` in [0, 1].

Earlier steps' *observations* are deliberately left out: they are tool output, which an
attacker controls, and a model that learns their phrasing learns the data set rather
than the behaviour. The rules read observations for injected instructions and their
trigger codes reach the model as features.

Training is a stream of ``Example`` (an action with its context, a label, a weight), so
labelled trajectories and a reviewer's decision history feed the same ``fit``. Models
are saved as JSON (no pickle) with the hashing spec and a format version; inference is
pure Python and reads only the features of one action.
"""

from __future__ import annotations

import json
import math
import random
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._canonical import sha256_hex
from .._exceptions import InputError
from ..models import Action
from .detectors import ActionView
from .detectors._base import wordset
from .detectors._ui import ui_action

__all__ = [
    "FORMAT",
    "Example",
    "LearnedModel",
    "features",
    "fit",
    "load_model",
    "number",
    "save_model",
]

FORMAT = "handoff-learned/1"
_DIM_BITS = 18
_TOKEN = re.compile(r"[a-z][a-z0-9]{2,}")
# Long texts (an instruction with a pasted document) are read up to here: the words that
# tell what the task is come first, and inference must stay well under a millisecond.
_TEXT_CAP = 1500
_MAX_TOKENS = 120
_CACHE_LIMIT = 4096
_STOP = wordset(
    "the and for you your with that this from are was were have has had not but all any "
    "can will would should could into out our their there then than them they its also "
    "use using used please need make sure first after before when what which who how"
)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled action: ``label`` true when a human should have decided it.

    ``codes`` and ``level`` are what the rules alone said about the action. ``group``
    ties the steps of one trajectory together when the label belongs to the trajectory,
    not to the step (see ``fit``); a decision on a single action has no group.
    """

    action: Action
    label: bool
    codes: tuple[str, ...] = ()
    level: str = "low"
    weight: float = 1.0
    group: str | None = None


_TOKENS: dict[str, tuple[str, ...]] = {}


def _tokens(text: str) -> tuple[str, ...]:
    hit = _TOKENS.get(text)
    if hit is not None:
        return hit
    out: list[str] = []
    seen: set[str] = set()
    for tok in _TOKEN.findall(text[:_TEXT_CAP].lower()):
        if tok in _STOP or tok in seen:
            continue
        seen.add(tok)
        out.append(tok)
        if len(out) >= _MAX_TOKENS:
            break
    words = tuple(out)
    if len(_TOKENS) >= _CACHE_LIMIT:
        _TOKENS.clear()
    _TOKENS[text] = words
    return words


def features(view: ActionView, codes: Iterable[str], level: str) -> list[str]:
    """The named features of one action: what the model reads, and what ``explain`` shows."""
    out = [f"tool:{w}" for w in view.words]
    if len(view.words) > 1:
        out.extend(f"tool2:{a}_{b}" for a, b in zip(view.words, view.words[1:], strict=False))
    out.extend(f"key:{k}" for _, k in view.keys[:20])
    for _, value in view.args[:20]:
        out.extend(f"arg:{t}" for t in _tokens(value)[:30])
    if view.numbers:
        out.append("arg#number")
    out.extend(f"ins:{t}" for t in _tokens(view.instruction))
    if view.thought:
        out.extend(f"thought:{t}" for t in _tokens(view.thought))
    for src in view.sources:
        if src.kind == "message":
            out.extend(f"msg:{t}" for t in _tokens(src.text))
    out.extend(f"rule:{c}" for c in codes)
    out.append(f"level:{level}")
    out.append(f"step:{min(len(view.earlier_tools), 5)}")
    return out


def _index(name: str, mask: int) -> int:
    return zlib.crc32(name.encode()) & mask


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """Weights over hashed features, the thresholds that act on ``p``, and provenance."""

    weights: dict[int, float]
    bias: float
    dim_bits: int = _DIM_BITS
    raise_at: float = 0.9
    lower_below: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """Identity of the weights and thresholds (not of the provenance notes)."""
        return sha256_hex(self._core())

    def _core(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "hashing": {"function": "crc32", "dim_bits": self.dim_bits, "features": "named"},
            "bias": self.bias,
            "weights": {str(k): v for k, v in sorted(self.weights.items())},
            "raise_at": self.raise_at,
            "lower_below": self.lower_below,
        }

    def probability(self, names: Iterable[str]) -> float:
        """``p`` for one action's named features (duplicates count once)."""
        mask = (1 << self.dim_bits) - 1
        w = self.weights
        z = self.bias
        for i in {_index(n, mask) for n in names}:
            z += w.get(i, 0.0)
        return _sigmoid(z)

    def explain(self, names: Iterable[str], top: int = 3) -> list[str]:
        """The features that pushed ``p`` up the most, strongest first."""
        mask = (1 << self.dim_bits) - 1
        scored = {n: self.weights.get(_index(n, mask), 0.0) for n in names}
        ranked = sorted((v, n) for n, v in scored.items() if v > 0)
        return [n for _, n in reversed(ranked[-top:])]

    def to_json(self) -> dict[str, Any]:
        return {**self._core(), "meta": self.meta}


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit(
    examples: Iterable[Example],
    *,
    epochs: int = 12,
    l2: float = 1e-2,
    rate: float = 0.3,
    seed: int = 7,
    raise_at: float = 0.9,
    lower_below: float | None = None,
    dim_bits: int = _DIM_BITS,
    cap: int = 20_000,
) -> LearnedModel:
    """Logistic regression by AdaGrad over the examples, L2-regularised, deterministic.

    Classes are re-weighted to count equally, so a stream of mostly approved actions
    (a decision history) does not teach the model that everything is fine.

    A trajectory labelled "needed a human" says that *some* step did, not which. For
    examples that share a ``group`` and a true label, a first model is trained with every
    step of the group positive; then only the step that model finds most suspicious stays
    positive (weight 1), the group's other steps count as negatives, and the model is
    trained again. Out of domain this beats labelling every step positive, which teaches
    the model that the harmless first search of a bad run is itself bad.
    """
    mask = (1 << dim_bits) - 1
    items = list(examples)
    rows: list[_Row] = []
    for ex in items:
        view = ActionView.of(ui_action(ex.action), cap)
        idx = tuple({_index(n, mask) for n in features(view, ex.codes, ex.level)})
        rows.append((idx, 1.0 if ex.label else 0.0, ex.weight))
    if not rows:
        raise InputError("no examples to learn from", field="examples")
    groups: dict[str, list[int]] = {}
    for k, ex in enumerate(items):
        if ex.group is not None and ex.label:
            groups.setdefault(ex.group, []).append(k)
    if any(len(members) > 1 for members in groups.values()):
        first, _ = _train(rows, epochs, l2, rate, seed)
        for members in groups.values():
            best = max(members, key=lambda k: sum(first.get(i, 0.0) for i in rows[k][0]))
            for k in members:
                idx, _, w = rows[k]
                rows[k] = (idx, 1.0, 1.0) if k == best else (idx, 0.0, w)
    weights, bias = _train(rows, epochs, l2, rate, seed)
    kept = {i: round(v, 5) for i, v in weights.items() if abs(v) >= 1e-5}
    return LearnedModel(
        weights=kept,
        bias=round(bias, 5),
        dim_bits=dim_bits,
        raise_at=raise_at,
        lower_below=lower_below,
        meta={
            "examples": len(rows),
            "positives": sum(1 for _, y, _ in rows if y),
            "epochs": epochs,
            "l2": l2,
            "rate": rate,
            "seed": seed,
        },
    )


_Row = tuple[tuple[int, ...], float, float]  # feature indices, label, weight


def _train(
    rows: list[_Row], epochs: int, l2: float, rate: float, seed: int
) -> tuple[dict[int, float], float]:
    pos = sum(w for _, y, w in rows if y)
    neg = sum(w for _, y, w in rows if not y)
    if not pos or not neg:
        raise InputError("the examples need both labels, escalate and not", field="label")
    total = pos + neg
    scale = (total / (2 * neg), total / (2 * pos))
    weights: dict[int, float] = {}
    grads: dict[int, float] = {}
    bias = 0.0
    bias_g = 1e-8
    order = list(range(len(rows)))
    rnd = random.Random(seed)
    for _ in range(epochs):
        rnd.shuffle(order)
        for k in order:
            idx, y, w = rows[k]
            z = bias
            for i in idx:
                z += weights.get(i, 0.0)
            g = (_sigmoid(z) - y) * w * scale[int(y)]
            bias_g += g * g
            bias -= rate * g / math.sqrt(bias_g)
            for i in idx:
                wi = weights.get(i, 0.0)
                gi = g + l2 * wi
                acc = grads.get(i, 1e-8) + gi * gi
                grads[i] = acc
                weights[i] = wi - rate * gi / math.sqrt(acc)
    return weights, bias


def save_model(model: LearnedModel, path: str | Path) -> None:
    """Write the model as JSON; the file is the whole model (no pickle, no code)."""
    Path(path).write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")


def load_model(path: str | Path) -> LearnedModel:
    """Read a model file; anything malformed is an ``InputError`` naming the field."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{p}: cannot read the model file ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{p}: the model file is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{p}: not a {FORMAT} model file", field="format")
    hashing = data.get("hashing")
    if not isinstance(hashing, dict) or hashing.get("function") != "crc32":
        raise InputError(f"{p}: hashing.function must be crc32", field="hashing.function")
    bits = hashing.get("dim_bits")
    if not isinstance(bits, int) or isinstance(bits, bool) or not 8 <= bits <= 24:
        raise InputError(f"{p}: hashing.dim_bits must be an integer 8..24", field="hashing")
    raw = data.get("weights")
    if not isinstance(raw, dict):
        raise InputError(f"{p}: weights must be an object", field="weights")
    weights: dict[int, float] = {}
    for k, v in raw.items():
        value = number(v)
        if not k.isdigit() or int(k) >= 1 << bits or value is None:
            raise InputError(f"{p}: weights[{k!r}] is not index: number", field="weights")
        weights[int(k)] = value
    bias = number(data.get("bias"))
    raise_at = number(data.get("raise_at"))
    lower = number(data.get("lower_below"))
    if bias is None:
        raise InputError(f"{p}: bias must be a number", field="bias")
    if raise_at is None or not 0.0 < raise_at <= 1.0:
        raise InputError(f"{p}: raise_at must be a number in (0, 1]", field="raise_at")
    if (data.get("lower_below") is not None and lower is None) or (
        lower is not None and not 0.0 <= lower < 1.0
    ):
        raise InputError(f"{p}: lower_below must be null or in [0, 1)", field="lower_below")
    meta = data.get("meta")
    return LearnedModel(
        weights=weights,
        bias=bias,
        dim_bits=bits,
        raise_at=raise_at,
        lower_below=lower,
        meta=meta if isinstance(meta, dict) else {},
    )


def number(v: Any) -> float | None:
    """``v`` as a float when it is a finite JSON number (not a bool), else ``None``."""
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None
