"""The feedback-loop figure over several ``risk simulate --correction both`` runs (seeds).

Reads each run's ``simulation.json``, averages the months over seeds
(:func:`serving.simulation.summarise`), prints the table (true recall at capacity and
the flag share of the most flagged nationalities, ``none`` against ``ipw``), the
estimators' interval coverage and which model served each month, and draws both
panels into a PNG.

Usage: ``python benchmarks/loop_figure.py sim-1 sim-2 sim-3 [--top 4] [--png loop.png]``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def _nationalities(documents: list[dict], top: int) -> tuple[str, ...]:
    """The nationalities with the largest mean flag share over every arm, month and seed."""
    total: Counter[str] = Counter()
    for doc in documents:
        for arm in doc["arms"].values():
            for month in arm["months"]:
                total.update(month["flag_share_by_nationality"])
    return tuple(n for n, _ in total.most_common(top))


def _served(documents: list[dict]) -> dict[str, list[int]]:
    """Per arm and seed: how many distinct models served over the months."""
    return {
        arm: [len({m["model_version"] for m in d["arms"][arm]["months"]}) for d in documents]
        for arm in documents[0]["arms"]
    }


def _plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    arms = [a for a in summary if a not in ("seeds", "months")]
    months = summary["months"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), dpi=90)
    styles = {"none": "-", "ipw": "--"}
    for arm in arms:
        left.plot(months, summary[arm]["recall"], styles.get(arm, ":"), marker="o", label=arm)
        for nat, values in summary[arm]["flag_share"].items():
            right.plot(months, values, styles.get(arm, ":"), label=f"{nat} ({arm})")
    left.set_title("true recall at capacity (mean over seeds)")
    right.set_title("share of the flags by nationality (mean over seeds)")
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=60, labelsize=7)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    from serving.simulation import loop_table, summarise

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="folders holding simulation.json")
    parser.add_argument("--top", type=int, default=4, help="nationalities to follow")
    parser.add_argument("--png", type=Path, default=None, help="write the figure here")
    args = parser.parse_args()
    documents = [json.loads((r / "simulation.json").read_text()) for r in args.runs]
    summary = summarise(documents, _nationalities(documents, args.top))
    print(f"seeds {summary['seeds']}, months {summary['months'][0]} to {summary['months'][-1]}")
    print(loop_table(summary))
    for arm in (a for a in summary if a not in ("seeds", "months")):
        cov = summary[arm]["coverage"]
        mean = [x for x in summary[arm]["recall"] if x is not None]
        print(
            f"[{arm}] mean true recall {sum(mean) / len(mean):.3f}; 95% intervals covering the"
            f" truth: prevalence {cov['prevalence'][0]}/{cov['prevalence'][1]},"
            f" recall {cov['recall'][0]}/{cov['recall'][1]}"
        )
    print(f"distinct models serving per seed: {_served(documents)}")
    if args.png:
        _plot(summary, args.png)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
