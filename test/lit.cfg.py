# lit configuration of norm's FileCheck and execution tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "NORM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.norm_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["norm-opt", "norm-run", "norm-compile", "norm-fuzz-replay"],
    [config.norm_tools_dir],
)
config.substitutions.append(("%python", "python3"))
config.substitutions.append(("%norm_src_root", config.norm_src_root))
config.substitutions.append(("%norm_obj_root", config.norm_obj_root))
config.substitutions.append(
    ("%cc", os.path.join(config.llvm_tools_dir, "clang") + " " + config.norm_cc_flags)
)
config.substitutions.append(
    ("%llvm_lib_dir", os.path.join(os.path.dirname(config.llvm_tools_dir), "lib"))
)

# The randomized test's longer mode (test/Execution/CPU/random);
# NORM_TARGET_CPU (norm-run's default --target-cpu): run the execution tests
# on another vector path than the host's, e.g. AVX2 code on an AVX-512 host.
for name in ("NORM_RANDOM_CASES", "NORM_RANDOM_SEED", "NORM_TARGET_CPU"):
    if name in os.environ:
        config.environment[name] = os.environ[name]

# norm as a plugin of Debian's mlir-opt (not built with sanitizers).
plugin = os.path.join(config.norm_obj_root, "lib", "libNormPlugin.so")
if os.path.exists(plugin) and not config.norm_cc_flags:
    config.available_features.add("plugin")
    config.substitutions.append(("%norm_plugin", plugin))

# Sanitizer builds: LLVM's allocator poisons slabs from inline header code in
# our instrumented files while the uninstrumented libMLIR reuses them, which
# ASan reports as use-after-poison inside MLIR (see fuzz/FuzzMain.cpp). Manual
# poisoning is ignored; every other check stays on.
if config.norm_cc_flags:
    config.environment["ASAN_OPTIONS"] = "allow_user_poisoning=0"

# The CUDA toolkit (ptxas, libdevice) for the GPU pipeline's tests: CUDA_ROOT
# or /usr/local/cuda. Without it the GPU tests are unsupported; nothing
# needs a GPU or a driver.
cuda_root = os.environ.get("CUDA_ROOT") or "/usr/local/cuda"
if os.path.exists(os.path.join(cuda_root, "bin", "ptxas")):
    config.available_features.add("cuda")
    config.environment["CUDA_ROOT"] = cuda_root
    config.substitutions.append(("%cuda_root", cuda_root))

# examples/cuda, built when CMake found the CUDA toolkit.
if os.path.exists(os.path.join(config.norm_obj_root, "examples", "cuda",
                               "cuda-example")):
    config.available_features.add("cuda-example")

# IREE for the IREE sample (examples/iree) and JAX for norm_jax: Pythons
# with them ($NORM_IREE_PYTHON, $NORM_JAX_PYTHON, default
# build/integrations-venv, which `make check-integrations` makes from PyPI);
# without them these tests are unsupported (the generation of the IREE
# sample's inputs is tested without IREE).
integrations = os.path.join(config.norm_src_root, "build",
                            "integrations-venv", "bin", "python")
for feature, env, probe_code in (
        ("iree", "NORM_IREE_PYTHON", "import iree.compiler, iree.runtime, numpy"),
        ("jax", "NORM_JAX_PYTHON", "import jax, numpy")):
    python = os.environ.get(env) or integrations
    if os.path.exists(python) and not config.norm_cc_flags:
        import subprocess

        probe = subprocess.run([python, "-c", probe_code], capture_output=True)
        if probe.returncode == 0:
            config.available_features.add(feature)
            config.substitutions.append((f"%{feature}_python", python))

# PyTorch for the custom-op tests (python/norm_torch): $NORM_TORCH_PYTHON or
# build/torch-venv (test/Transforms/Inputs/torch/generate.py makes it). PyPI's
# torch is large and no build step needs it, so without it these tests are
# unsupported (also in sanitizer builds: the instrumented runtime cannot
# load into an uninstrumented Python).
torch_python = os.environ.get("NORM_TORCH_PYTHON") or os.path.join(
    config.norm_src_root, "build", "torch-venv", "bin", "python")
if os.path.exists(torch_python) and not config.norm_cc_flags:
    import subprocess

    probe = subprocess.run([torch_python, "-c", "import torch"],
                           capture_output=True)
    if probe.returncode == 0:
        config.available_features.add("torch")
        config.substitutions.append(("%torch_python", torch_python))
