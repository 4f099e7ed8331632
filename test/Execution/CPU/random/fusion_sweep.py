"""What the fusion sweeps (random_transposes.py, random_fusion.py) share:
tensor types, norm-run input specs, and the loop that runs each drawn
program unfused, fuses it with --norm-fuse-elementwise, and checks the
fused program against the unfused one's results (norm-run --expect) and
the float64 reference (--check)."""

import argparse
import os
import subprocess


def ttype(shape, dtype):
    return "tensor<" + "x".join([str(d) for d in shape] + [dtype]) + ">"


def spec(shape, dtype, value="random"):
    arg = "x".join([str(d) for d in shape] + [dtype]) + "=" + value
    return f"--input='{arg}'"


def run(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def sweep(doc, draw, counted):
    """Parses the command line, then for each case: draw(case_seed) ->
    (text, inputs, result count, extra norm-run flags for --expect). Returns
    (passed, cases, how many fused programs satisfy counted(text))."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--norm-run", required=True)
    parser.add_argument("--norm-opt", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=24)
    a = parser.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    passed = count = 0
    for case in range(a.cases):
        text, inputs, results, expect_flags = draw(a.seed, case)
        base = os.path.join(a.workdir, f"case{a.seed}-{case}")
        with open(base + ".mlir", "w") as f:
            f.write(text)
        ins = " ".join(inputs)
        outs = " ".join(f"--output=@{base}.{k}.npy" for k in range(results))
        expects = " ".join(f"--expect=@{base}.{k}.npy" for k in range(results))
        steps = [
            f"{a.norm_run} {base}.mlir {ins} {outs} --check",
            f"{a.norm_opt} {base}.mlir --norm-fuse-elementwise -o {base}.fused.mlir",
            f"{a.norm_run} {base}.fused.mlir {ins} {expects}{expect_flags}",
            f"{a.norm_run} {base}.fused.mlir {ins} --check",
        ]
        for step in steps:
            r = run(step)
            if r.returncode:
                print(f"FAILED case {case}: {step}\n{r.stdout[-600:]}"
                      f"{r.stderr[-600:]}")
                break
        else:
            passed += 1
            with open(base + ".fused.mlir") as f:
                count += counted(f.read())
    return passed, a.cases, count
