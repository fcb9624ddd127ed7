# Parley: `make run` serves the example assistant, `make test` runs every test.
# Both work as the first command on a fresh Debian 12 machine: they call scripts/setup, which
# installs what is missing and fetches the pinned llama.cpp into third_party/.

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
CMAKE_ARGS ?=
CONFIG     ?= examples/parley.yaml

.PHONY: all setup configure build run test bench format clean

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

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
