# Parley: `make run` serves the example assistant, `make test` runs every test.
# Both work as the first command on a fresh Debian 12 machine: they call scripts/setup, which
# installs what is missing and fetches the pinned llama.cpp into third_party/.

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
CMAKE_ARGS ?=
CONFIG     ?= examples/parley.yaml

.PHONY: all setup configure build run test bench format clean fuzz test-asan

all: build

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR)

run: build
	$(BUILD_DIR)/src/parley serve --config $(CONFIG)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300

bench: build
	bench/run

# libFuzzer harnesses (clang-14) for the HTTP parser, JSON bodies, JWTs, the config loader, the
# PII masker, the dialog flow loader, the NLU and whole conversations, each run for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: setup
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_FUZZ=ON \
	  -DPARLEY_TESTS=OFF -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
	cmake --build build-fuzz --target parley_fuzzers
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# The whole test suite with Parley's code built under AddressSanitizer + UBSan.
test-asan: setup
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_SANITIZE=ON
	cmake --build build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 600

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
