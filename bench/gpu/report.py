#!/usr/bin/env python3
"""Turns a GPU benchmark CSV (run_bench.py) into a markdown table and a PNG:
each contender's fraction of the same-run copy bandwidth, by hidden size.

    report.py gpu.csv [out.png]
"""

import csv
import sys


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    # Variants (run_bench.py --variant NAME=DIR): norm compiled otherwise.
    variants = [k[len("norm_"):] for k in rows[0]
                if k.startswith("norm_") and k != "norm_over_copy"]
    print(f"GPU: {rows[0]['gpu']}. Large rows: ms per call (median, CUDA "
          "events), fraction of a device-to-device copy of the same bytes "
          "(input read once + output written once) in the same run, and "
          "speed-up of norm over each contender. Batch-size-1 rows: us per "
          "call including the launch, from Python.\n")
    print("| case | shape | norm | copy | norm/copy | x eager | x compile "
          "| x Liger | x Quack |" + "".join(f" x {v} |" for v in variants))
    print("|---|---|---|---|---|---|---|---|---|" + "---|" * len(variants))

    def f(r, k, fmt="{:.3f}"):
        return fmt.format(float(r[k])) if r.get(k) else "-"

    for r in rows:
        unit = "us" if r["unit"] == "us/call" else "ms"
        print(f"| {r['case']} | {r['shape']} | {f(r, 'norm')} {unit} | "
              f"{f(r, 'copy')} | {f(r, 'norm_over_copy', '{:.2f}')} | "
              f"{f(r, 'speedup_vs_eager', '{:.2f}')} | "
              f"{f(r, 'speedup_vs_compile', '{:.2f}')} | "
              f"{f(r, 'speedup_vs_liger', '{:.2f}')} | "
              f"{f(r, 'speedup_vs_quack', '{:.2f}')} |" +
              "".join(f" {f(r, 'speedup_vs_norm_' + v, '{:.2f}')} |"
                      for v in variants))
    if len(sys.argv) < 3:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharey=True)
    for ax, (op, dt) in zip(axes.flat, [("ln", "bf16"), ("rms", "bf16"),
                                        ("ln", "f32"), ("rms", "f32")]):
        sel = [r for r in rows if r["case"].startswith(f"{op}_{dt}_")]
        hidden = [int(r["shape"].split("x")[-1]) for r in sel]
        for key, label in (("norm", "norm"), ("eager", "PyTorch eager"),
                           ("compile", "torch.compile"), ("liger", "Liger"),
                           ("quack", "Quack")):
            pts = [(h, float(r["copy"]) / float(r[key]))
                   for h, r in zip(hidden, sel) if r.get(key)]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=label)
        ax.set_xscale("log", base=2)
        ax.set_title(f"{'LayerNorm' if op == 'ln' else 'RMSNorm'} {dt}")
        ax.set_xlabel("hidden")
        ax.axhline(1.0, color="gray", lw=0.5)
    axes[0][0].set_ylabel("fraction of copy bandwidth")
    axes[0][0].legend()
    fig.suptitle(f"{rows[0]['gpu']}: ~1 GiB inputs, same-run copy = 1")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=90)


if __name__ == "__main__":
    main()
