# hydraguard — top-level Makefile wrapping CMake (as DuckDB does).
#   make          build (RelWithDebInfo) into build/
#   make deps     install missing Debian packages (idempotent; needs root)
#   make test     deps + build + every test (ctest)
#   make test-sanitize  the same tests under AddressSanitizer + UBSan (build-asan/)
#   make fuzz     build the libFuzzer targets with clang and run each FUZZ_SECONDS
#   make demo     deps + build + a small end-to-end run
#   make bench    benchmarks (long; never part of tests)
#   make quality  the red-team grid (tune/eval seeds, with and without text) -> QUALITY.md
#   make format   clang-format every source file
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
CMAKE_GENERATOR ?= Ninja

.PHONY: all build deps test test-sanitize fuzz demo bench quality format clean

all: build

deps:
	@scripts/install_deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

$(ASAN_DIR)/build.ninja: | deps
	cmake -S . -B $(ASAN_DIR) -G $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DHYDRAGUARD_SANITIZE=ON -DHYDRAGUARD_BENCH=OFF

test-sanitize: deps $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

$(FUZZ_DIR)/build.ninja: | deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G $(CMAKE_GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHYDRAGUARD_FUZZ=ON -DHYDRAGUARD_BENCH=OFF

fuzz: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	scripts/run_fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

demo: build
	scripts/demo.sh $(BUILD_DIR)

bench: build
	scripts/bench.sh $(BUILD_DIR)

quality: build
	scripts/quality.sh $(BUILD_DIR)

format:
	find src bench fuzz -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
