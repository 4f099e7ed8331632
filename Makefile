# The two entry points of the README: `make demo` and `make check`.
# Both install what is missing, configure once and build incrementally.
BUILD ?= build
LLVM_DIR ?= /usr/lib/llvm-22
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo check check-sanitize check-vector-paths check-integrations fuzz bench gpu-bundle docs clean format

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -G Ninja -S . -B $(BUILD) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=$(LLVM_DIR)/bin/clang \
	  -DCMAKE_CXX_COMPILER=$(LLVM_DIR)/bin/clang++ \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@examples/demo.sh $(BUILD)

check: build
	cmake --build $(BUILD) --target check-norm -j $(JOBS)

# Every test again with the project's code under ASan + UBSan (+ LeakSanitizer).
check-sanitize: deps
	cmake -G Ninja -S . -B $(BUILD)-sanitize \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=$(LLVM_DIR)/bin/clang \
	  -DCMAKE_CXX_COMPILER=$(LLVM_DIR)/bin/clang++ \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir -DNORM_SANITIZE=ON > /dev/null
	cmake --build $(BUILD)-sanitize --target check-norm -j $(JOBS)

# The execution and integration tests again with kernels compiled for other
# CPUs than the host (norm-run's default --target-cpu, NORM_TARGET_CPU):
# AVX2 code runs on an AVX-512 host, and AVX-512 code without AVX512-BF16
# (x86-64-v4: the integer bf16 rounding at 16 lanes) on one that has it.
# TARGET_CPUS="x86-64-v3 x86-64" adds the SSE2 baseline. A CPU whose
# features the host lacks is skipped, with a line saying so.
TARGET_CPUS ?= x86-64-v3 x86-64-v4
check-vector-paths: build
	@for cpu in $(TARGET_CPUS); do \
	  if ! $(BUILD)/bin/norm-run test/Execution/CPU/bf16-rounding.mlir \
	      --function=sweep --input=4xf32=1 --target-cpu=$$cpu > /dev/null; then \
	    echo "== skipped NORM_TARGET_CPU=$$cpu: this host cannot run its code"; \
	    continue; \
	  fi; \
	  echo "== NORM_TARGET_CPU=$$cpu"; \
	  (cd $(BUILD) && NORM_TARGET_CPU=$$cpu $(LLVM_DIR)/bin/lit -q \
	    test/Execution test/Integration) || exit 1; \
	done

# The IREE sample (examples/iree) against stock IREE and norm_jax against
# JAX, both from PyPI, pinned, in a virtualenv under $(BUILD); `make check`
# runs those tests too once that exists.
IREE_VERSION ?= 3.13.0
JAX_VERSION ?= 0.10.2
VENV := $(abspath $(BUILD))/integrations-venv
check-integrations: build
	@scripts/install-deps.sh --integrations
	@[ -x $(VENV)/bin/python ] || python3 -m venv $(VENV)
	@$(VENV)/bin/python -c "import iree.compiler, iree.runtime, jax, numpy" 2>/dev/null \
	  || $(VENV)/bin/pip install -q iree-base-compiler==$(IREE_VERSION) \
	       iree-base-runtime==$(IREE_VERSION) jax==$(JAX_VERSION) numpy
	cd $(BUILD) && NORM_IREE_PYTHON=$(VENV)/bin/python \
	  NORM_JAX_PYTHON=$(VENV)/bin/python $(LLVM_DIR)/bin/lit -v \
	  test/Integration/iree-prepare.test test/Integration/iree-sample.test \
	  test/Integration/jax-ffi.test

# libFuzzer targets under ASan + UBSan (not part of check), FUZZ_SECONDS each.
# Crashes land in $(BUILD)-fuzz/crashes/; copy them into
# test/Fuzz/Inputs/corpus/<target>/ so that make check replays them.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -G Ninja -S . -B $(BUILD)-fuzz \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=$(LLVM_DIR)/bin/clang \
	  -DCMAKE_CXX_COMPILER=$(LLVM_DIR)/bin/clang++ \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir -DNORM_SANITIZE=ON \
	  -DNORM_FUZZ=ON > /dev/null
	cmake --build $(BUILD)-fuzz --target fuzz-npyReader fuzz-inputSpec \
	  fuzz-normOpt fuzz-normRunArgs -j $(JOBS)
	@mkdir -p $(BUILD)-fuzz/crashes
	@for t in npy:npyReader input-spec:inputSpec norm-opt:normOpt \
	    norm-run:normRunArgs; do \
	  dir=$${t%%:*}; bin=$${t##*:}; \
	  mkdir -p $(BUILD)-fuzz/corpus/$$dir; \
	  dict=; [ $$dir = norm-opt ] && dict=-dict=fuzz/norm.dict; \
	  [ $$dir = norm-run ] && dict=-dict=fuzz/norm-run.dict; \
	  echo "== fuzz-$$bin for $(FUZZ_SECONDS) s"; \
	  $(BUILD)-fuzz/bin/fuzz-$$bin $$dict -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)-fuzz/crashes/$$dir- \
	    $(BUILD)-fuzz/corpus/$$dir test/Fuzz/Inputs/corpus/$$dir \
	    > $(BUILD)-fuzz/$$dir.log 2>&1; status=$$?; \
	  grep -a -E "stat::number_of_executed_units|cov:|ERROR|SUMMARY" \
	    $(BUILD)-fuzz/$$dir.log | tail -3; \
	  [ $$status -eq 0 ] || { echo "fuzz-$$bin failed (status $$status):" \
	    "$(BUILD)-fuzz/$$dir.log, $(BUILD)-fuzz/crashes/"; exit 1; }; \
	done

# The CPU benchmark (not part of check): BENCH_ARGS=--quick for a short run.
bench: build
	@scripts/install-deps.sh --bench
	cmake -S . -B $(BUILD) > /dev/null
	cmake --build $(BUILD) --target norm-bench-binaries -j $(JOBS)
	python3 bench/run.py $(BENCH_ARGS)

# The GPU tests and benchmark, compiled here for a GPU machine without MLIR
# (docs/gpu.md): build/gpu/, run there with build/gpu/gpu-run.sh.
gpu-bundle: build
	scripts/gpu-bundle.sh $(abspath $(BUILD))

docs: build
	cmake --build $(BUILD) --target norm-doc
	cp $(BUILD)/docs/NormDialect.md $(BUILD)/docs/Passes.md \
	  $(BUILD)/docs/ConversionPasses.md docs/reference/

format:
	git ls-files '*.cpp' '*.h' | xargs $(LLVM_DIR)/bin/clang-format -i 2>/dev/null || \
	  git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize $(BUILD)-fuzz
