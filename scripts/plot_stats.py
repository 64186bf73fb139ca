#!/usr/bin/python3
"""plot_stats.py - plots of the table `m5sim stats` writes (docs/sweeps.md).

  plot_stats.py dumps TABLE.csv --stat NAME [--run PATTERN] -o OUT.png
      NAME over the dumps of each run (periodic `m5 dumpresetstats`): one line per run.
  plot_stats.py param TABLE.csv --stat NAME --x PARAM [--group PARAM] -o OUT.svg
      NAME of each run's last dump against a parameter column (numeric or by name),
      one line per value of --group.

The output format follows OUT's extension (.png, .svg, .pdf). Debian's
python3-matplotlib, run without a display (the Agg backend); /usr/bin/python3,
so a virtualenv or pyenv python3 on PATH does not hide it.
"""
import argparse
import csv
import fnmatch
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)
from matplotlib.ticker import MaxNLocator  # noqa: E402


def number(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def read_table(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot_stats.py: {path}: no rows")
    return rows


def need_column(rows, name, path):
    if name not in rows[0]:
        cols = ", ".join(rows[0].keys())
        sys.exit(f"plot_stats.py: {path}: no column {name!r} (columns: {cols})")


def plot_dumps(args, rows):
    need_column(rows, args.stat, args.table)
    runs = {}
    for r in rows:
        if args.run and not fnmatch.fnmatch(r["run"], args.run):
            continue
        v = number(r[args.stat])
        if v is not None:
            runs.setdefault(r["run"], []).append((int(r["dump"]), v))
    if not runs:
        sys.exit(f"plot_stats.py: no values of {args.stat}")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for run, points in runs.items():
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=run)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("dump (stats.txt block)")
    ax.set_ylabel(args.stat)
    ax.set_title(f"{args.stat} per dump")
    ax.legend(fontsize="small")
    return fig


def plot_param(args, rows):
    for c in (args.stat, args.x) + ((args.group,) if args.group else ()):
        need_column(rows, c, args.table)
    last = {}
    for r in rows:   # each run's last dump
        if r["run"] not in last or int(r["dump"]) > int(last[r["run"]]["dump"]):
            last[r["run"]] = r
    groups = {}
    for r in last.values():
        v = number(r[args.stat])
        if v is not None:
            groups.setdefault(r[args.group] if args.group else args.stat, []).append((r[args.x], v))
    if not groups:
        sys.exit(f"plot_stats.py: no values of {args.stat}")
    xs = sorted({x for pts in groups.values() for x, _ in pts},
                key=lambda x: (number(x) is None, number(x) or 0, x))
    numeric = all(number(x) is not None for x in xs)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, points in groups.items():
        points.sort(key=lambda p: xs.index(p[0]))
        px = [number(p[0]) if numeric else xs.index(p[0]) for p in points]
        ax.plot(px, [p[1] for p in points], marker="o", label=name)
    if not numeric:
        ax.set_xticks(range(len(xs)), xs)
    ax.set_xlabel(args.x)
    ax.set_ylabel(args.stat)
    ax.set_title(f"{args.stat} by {args.x}")
    if args.group:
        ax.legend(title=args.group, fontsize="small")
    return fig


def main():
    p = argparse.ArgumentParser(description="Plot statistics gathered by m5sim stats.")
    sub = p.add_subparsers(dest="kind", required=True)
    d = sub.add_parser("dumps", help="a statistic over each run's dumps")
    d.add_argument("--run", help="only runs matching this pattern")
    q = sub.add_parser("param", help="a statistic against a parameter")
    q.add_argument("--x", required=True, help="the parameter column on the x axis")
    q.add_argument("--group", help="one line per value of this column")
    for s in (d, q):
        s.add_argument("table", help="CSV written by m5sim stats")
        s.add_argument("--stat", required=True, help="the statistic's column")
        s.add_argument("-o", "--output", required=True, help="OUT.png, OUT.svg or OUT.pdf")
    args = p.parse_args()
    rows = read_table(args.table)
    fig = plot_dumps(args, rows) if args.kind == "dumps" else plot_param(args, rows)
    fig.tight_layout()
    fig.savefig(args.output)
    print(f"plot_stats.py: wrote {args.output}")


if __name__ == "__main__":
    main()
