"""``python -m bench.learned [--quick]``: how long the learned scorer takes per action.

The scorer is fitted on the three labelled sources in ``data/`` (as ``handoff learn fit``
would), then scores the feature names of every tool step of those cases: one call of
``LearnedModel.probability`` each, the part ``rubric.assess`` adds when a policy
references a model. Feature extraction is timed apart (``features``), since it reads
the action's text. The goal is under 1 ms per action; both are reported as p50 and p99
over several rounds, with the spread of the rounds' medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from handoff.detect.detectors import ActionView
from handoff.detect.learned import Example, features, fit
from handoff.learn.evaluation import case_examples, load_cases
from handoff.policy import default_policy

__all__ = ["bench_learned"]

DATA = Path(__file__).resolve().parent.parent / "data"
SOURCES = ("cases-dev.jsonl", "cases-oas.jsonl", "cases-taubench.jsonl")


def _examples(limit: int | None) -> list[Example]:
    policy = default_policy()
    out: list[Example] = []
    for name in SOURCES:
        out.extend(case_examples(load_cases(DATA / name), policy, name))
    return out[:limit] if limit else out


def _quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def bench_learned(rounds: int, limit: int | None) -> dict[str, list[float]]:
    """Per-action seconds of ``features`` and ``probability``, over ``rounds`` rounds."""
    examples = _examples(limit)
    model = fit(examples)
    views = [(ActionView.of(e.action, 20_000), e.codes, e.level) for e in examples]
    feat: list[float] = []
    prob: list[float] = []
    medians: list[float] = []
    for _ in range(rounds):
        this: list[float] = []
        for view, codes, level in views:
            t0 = time.perf_counter()
            names = features(view, codes, level)
            t1 = time.perf_counter()
            model.probability(names)
            t2 = time.perf_counter()
            feat.append(t1 - t0)
            prob.append(t2 - t1)
            this.append(t2 - t0)
        medians.append(statistics.median(this))
    return {"features": feat, "probability": prob, "round_medians": medians}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.learned", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="2 rounds over 200 actions")
    opts = ap.parse_args(argv)
    rounds, limit = (2, 200) if opts.quick else (5, None)
    got = bench_learned(rounds, limit)
    n = len(got["features"]) // rounds
    print(f"{rounds} rounds over {n:,} case actions (fitted on all three sources)")
    for part in ("features", "probability"):
        xs = got[part]
        p50, p99 = _quantile(xs, 0.5) * 1e6, _quantile(xs, 0.99) * 1e6
        print(f"{part:12} p50 {p50:7.1f} us   p99 {p99:7.1f} us")
    med = got["round_medians"]
    mid = statistics.median(med)
    print(
        f"per action, median of rounds: {mid * 1e6:.1f} us (goal < 1000 us);"
        f" spread of the rounds {(max(med) - min(med)) / mid:.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
