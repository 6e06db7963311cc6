"""The long soak of the fault matrix (see tests/fault_matrix.py), from a fresh clone after
``pip install -e '.[test]'``:

    python -m tests.soak --runs 200
    python tests/soak.py --minutes 5

Prints the totals (runs, IDs, outcomes, faults injected by kind, invariant violations) and
exits 1 if any invariant was broken, 0 otherwise.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_matrix import FAULT_KINDS, soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="number of runs (default 200)")
    parser.add_argument("--minutes", type=float, help="run for this long instead of --runs")
    parser.add_argument("--ids-per-run", type=int, default=300, help="fresh IDs per run")
    parser.add_argument("--seed", type=int, help="reproduce a soak (default: random)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    what = f"{args.minutes:g} minutes" if args.minutes else f"{args.runs} runs"
    print(f"soak: {what} of {args.ids_per_run} IDs each, seed {seed}", flush=True)
    began = time.monotonic()
    totals = soak(args.runs, args.ids_per_run, seed, minutes=args.minutes, progress=True)
    print("\n".join(totals.lines()))
    print(f"elapsed: {time.monotonic() - began:.0f} s")
    if missing := sorted(FAULT_KINDS - {k for k, n in totals.faults_injected.items() if n}):
        print(f"note: never injected in this soak: {', '.join(missing)}")
    if totals.violations:
        print(f"FAILED: {len(totals.violations)} invariant violations (seed {seed})")
        return 1
    print("OK: no invariant violated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
