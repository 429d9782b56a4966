"""The review policy's cost per case: ``models.ReviewPolicy`` against the rule it replaced.

Before the policy object, scoring decided a case inline: the model's flag on the margin
(or, under an override, the calibrated probability against it), the model's band, the
route and the propensity.  This prints the median microseconds per case of that inline
rule (re-created here as the peer) and of ``ReviewPolicy`` built per request as the
service builds it, with and without an override, interleaved over 7 repeats in one run.
A full score through the service costs milliseconds (``bench_serving.py``), so the
difference is what the policy adds to it.

Usage: ``python benchmarks/bench_review_policy.py [--cases 20000]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from models import Bands, Calibrator, ReviewPolicy

BLIND_RATE = 0.02


def _setup(cases: int) -> tuple[Calibrator, Bands, list[float]]:
    rng = np.random.default_rng(1)
    margin = rng.normal(-3, 1.5, 4000)
    labels = (rng.random(4000) < 1 / (1 + np.exp(-(margin + 1)))).astype(float)
    cal = Calibrator("isotonic").fit(margin, labels)
    bands = Bands(0.05, -1.5, -0.5, float(cal.predict(-1.5)), float(cal.predict(-0.5)))
    return cal, bands, rng.normal(-3, 1.5, cases).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    cal, bands, margins = _setup(args.cases)
    draws = random.Random(7)

    def inline(margin: float, override: float | None) -> tuple:
        probability = float(cal.predict(margin))
        flagged = margin >= bands.flag_margin if override is None else probability >= override
        route = (
            "model_flag" if flagged else ("blind_sample" if draws.random() < BLIND_RATE else "none")
        )
        return flagged, bands.band_one(margin), route, 1.0 if flagged else BLIND_RATE

    def policy(margin: float, override: float | None) -> tuple:
        p = ReviewPolicy(bands, cal, override, BLIND_RATE, False)
        float(cal.predict(margin))  # the probability scoring still shows
        return (
            p.flagged(margin),
            p.band(margin),
            p.route(margin, draws.random),
            p.propensity(margin),
        )

    print(f"{'override':<10}{'inline us/case':>16}{'ReviewPolicy us/case':>22}{'ratio':>8}")
    for override in (None, 0.2):
        times: dict[str, list[float]] = {"inline": [], "policy": []}
        for _ in range(7):
            for name, rule in (("inline", inline), ("policy", policy)):
                start = time.perf_counter()
                for m in margins:
                    rule(m, override)
                times[name].append((time.perf_counter() - start) / len(margins) * 1e6)
        a, b = statistics.median(times["inline"]), statistics.median(times["policy"])
        print(f"{override!s:<10}{a:>16.2f}{b:>22.2f}{b / a:>8.2f}")


if __name__ == "__main__":
    main()
