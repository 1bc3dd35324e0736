# warpsynth: `make` sets everything up from nothing (Debian packages, .venv, C++ build);
# `make demo` runs the main job on a small default; `make test` runs every test.
# Each step is skipped when it is up to date, so a second `make test` only runs the tests.

PYTHON      ?= python3
VENV        := .venv
VENV_STAMP  := $(VENV)/.installed
BUILD       := build
BIN         := $(BUILD)/warpsynth
JOBS        ?= $(shell nproc)
DEMO_OUT    ?= out/demo
CORPUS_OUT  ?= out/corpus
CORPUS_STAMP := $(VENV)/.corpus-installed
WARP_EXAMPLES = $$($(VENV)/bin/python -c "import os, warp; print(os.path.join(os.path.dirname(warp.__file__), 'examples'))")

APT_PACKAGES := cmake g++ make pkg-config libcli11-dev nlohmann-json3-dev libfmt-dev \
                libxxhash-dev libzstd-dev zstd libsimdjson-dev libgtest-dev libbenchmark-dev \
                libmimalloc-dev time ccache

.PHONY: all deps apt build test test-cpp test-python test-sanitize test-mutants demo corpus clean

all: build

# Debian packages: installed only when one is missing.
apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The worker's Python environment, rebuilt when requirements.txt changes.
$(VENV_STAMP): requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

deps: apt $(VENV_STAMP)

$(BUILD)/CMakeCache.txt: CMakeLists.txt | apt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-python: build
	$(VENV)/bin/python -m pytest -q tests/python tests/e2e tests/examples tests/docs

test: test-cpp test-python

# The C++ tests, the libFuzzer targets of fuzz/ (FUZZ_RUNS inputs each, from the seeds in
# fuzz/corpus) and a small end-to-end run, all built with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (LeakSanitizer included), in build-sanitize/. Any report fails it.
SANITIZE_BUILD := build-sanitize
SANITIZE_APT   := clang libclang-rt-14-dev
FUZZ_RUNS      ?= 200000
FUZZ_TARGETS   := json_reader protocol config manifest shard_reader
SANITIZER_ENV  := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=86 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87
test-sanitize: deps
	@$(MAKE) --no-print-directory apt APT_PACKAGES="$(SANITIZE_APT)"
	@test -f $(SANITIZE_BUILD)/CMakeCache.txt || CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_BUILD) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWARPSYNTH_SANITIZE=ON
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS)
	@for t in $(FUZZ_TARGETS); do \
	  corpus=$$(mktemp -d); \
	  echo "fuzz_$$t: $(FUZZ_RUNS) inputs"; \
	  $(SANITIZER_ENV) $(SANITIZE_BUILD)/fuzz_$$t -runs=$(FUZZ_RUNS) -seed=1 -max_len=8192 -artifact_prefix=$(SANITIZE_BUILD)/ \
	    $$corpus fuzz/corpus/$$t > $(SANITIZE_BUILD)/fuzz_$$t.log 2>&1 \
	    || { tail -40 $(SANITIZE_BUILD)/fuzz_$$t.log; rm -rf $$corpus; exit 1; }; \
	  rm -rf $$corpus; \
	done
	$(SANITIZER_ENV) tests/sanitize/e2e.sh $(SANITIZE_BUILD)/warpsynth

# Every verdict's test fails when the verdict is weakened: each source mutation of
# tests/mutants/mutants.toml is applied to a scratch copy of the tree (build-mutants/, objects it
# does not change come from ccache), built, and run against the tests it names; a mutation no test
# catches fails the target (docs/reliability.md).
test-mutants: build
	$(VENV)/bin/python tests/mutants/run_mutants.py

# The main job on a small default: 200 generated kernels, and every kernel in the examples that
# ship with warp-lang, each with the C++/CUDA code Warp generates for it.
demo: build
	@$(BIN) generate --count 200 --seed 0 --out $(DEMO_OUT)/generated --quiet
	@$(BIN) extract $(WARP_EXAMPLES) --out $(DEMO_OUT)/extracted --quiet; status=$$?; \
	  echo "records: $(DEMO_OUT)/generated/kernels-*.jsonl and $(DEMO_OUT)/extracted/kernels.jsonl (docs/dataset.md)"; \
	  [ $$status -le 1 ]
	@$(BIN) dataset $(DEMO_OUT)/generated $(DEMO_OUT)/extracted --out $(DEMO_OUT)/dataset --quiet

# The packages of real Warp code the corpus is made from (requirements-corpus.txt), installed
# into .venv with warp-lang kept at the version requirements.txt pins.
$(CORPUS_STAMP): requirements-corpus.txt $(VENV_STAMP)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-corpus.txt -c requirements.txt
	@touch $@

# A real corpus: every kernel of warp-lang's examples and of the newton package, each with its
# self-contained Python, its code and its package's name, version and license.
corpus: build $(CORPUS_STAMP)
	@$(BIN) extract $(WARP_EXAMPLES) --package newton --out $(CORPUS_OUT) --quiet; status=$$?; \
	  echo "records: $(CORPUS_OUT)/kernels.jsonl (docs/dataset.md)"; \
	  [ $$status -le 1 ]

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) build-mutants out
