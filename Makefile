# The two entry points of the README: `make demo` and `make check`.
# Both install what is missing, configure once and build incrementally.
BUILD ?= build
LLVM_DIR ?= /usr/lib/llvm-22
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo check check-sanitize bench docs clean format

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

# The CPU benchmark (not part of check): BENCH_ARGS=--quick for a short run.
bench: build
	@scripts/install-deps.sh --bench
	cmake -S . -B $(BUILD) > /dev/null
	cmake --build $(BUILD) --target norm-bench-binaries -j $(JOBS)
	python3 bench/run.py $(BENCH_ARGS)

docs: build
	cmake --build $(BUILD) --target norm-doc
	cp $(BUILD)/docs/NormDialect.md $(BUILD)/docs/Passes.md \
	  $(BUILD)/docs/ConversionPasses.md docs/reference/

format:
	git ls-files '*.cpp' '*.h' | xargs $(LLVM_DIR)/bin/clang-format -i 2>/dev/null || \
	  git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize
