# Thin wrapper over CMake. The two commands the README promises:
#   make run    install what is missing, build, run the main job (the demo; bare routexd:
#               make run-daemon)
#   make test   install what is missing, build, pass the whole test suite
# (release: every label, the unit tests also under valgrind; ASan+UBSan: unit, stress and
# interop, so routexd itself runs sanitized against real daemons; TSan: unit and stress;
# then the fuzz targets briefly).
JOBS ?= $(shell nproc)
BUILD ?= build
CMAKE_FLAGS ?=
# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]: docs/packaging.md lists the files.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build run run-daemon test test-release test-asan test-tsan test-fuzz bench install clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The demo (scripts/demo.py): the route server on the Azure example (loopback, port 10179)
# with a Python BGP speaker in each peer's role; prints what every peer holds before and
# after `exchange on` and after `exchange off`, checks it, then keeps running for routexctl
# until Ctrl-C.
run: build
	python3 scripts/demo.py --routexd $(BUILD)/src/routexd --routexctl $(BUILD)/src/routexctl

# The bare route server on the same example, nobody peering, in the foreground.
# Explore it from another shell: ./build/src/routexctl -s /tmp/routex-azure.sock show peers
run-daemon: build
	./$(BUILD)/src/routexd -f -c examples/azure.yaml

test: deps test-release test-asan test-tsan test-fuzz

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B build-asan -DRX_SANITIZE=asan -DRX_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -L 'unit|stress|interop'

test-tsan: deps
	cmake -S . -B build-tsan -DRX_SANITIZE=tsan -DRX_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -j $(JOBS) -L 'unit|stress' --no-tests=ignore

# libFuzzer targets, about 30 s each (tests/fuzz/run.sh runs one for as long as you ask).
test-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DRX_FUZZ=ON -DRX_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	cd build-fuzz && ctest --output-on-failure -L fuzz --no-tests=ignore

# The prefix is set at configure time: the unit file and man pages name installed paths.
install: deps
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

bench: build
	@for b in $(BUILD)/bench/bench_*; do [ -x $$b ] && $$b; done

clean:
	rm -rf build build-asan build-tsan build-fuzz
