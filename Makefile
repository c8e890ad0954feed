# imagemill: the two set-up commands are `make demo` and `make test`; each works alone on a fresh
# Debian 12 machine (it installs what it needs first).
BUILD      ?= build
TEST_BUILD ?= build-test
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

PREFIX     ?= /usr/local

.PHONY: all deps build asan demo test unit bench bench-smoke label-eval face-eval text-eval fuzz format clean install

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DIMAGEMILL_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target imagemill_tests imagemill

# Puts bin/imagemill and the models under $(PREFIX) (default /usr/local): the installed binary
# finds its models without --models-dir.
install: build
	@scripts/fetch-models.sh
	@cmake --install $(BUILD) --prefix $(PREFIX)

demo: build
	@scripts/demo.sh $(BUILD)

test:
	@scripts/install-deps.sh --test
	@scripts/test.sh $(TEST_BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

bench: build
	@scripts/install-deps.sh --bench
	@scripts/bench.sh $(BUILD)

# Precision, recall and speed of the label models on the labelled photo set (docs/labels.md).
# The photo set's fetch script uses the benchmark packages' python3-opencv.
label-eval: build
	@scripts/install-deps.sh --bench
	@scripts/fetch-label-eval.sh
	@cmake --build $(BUILD) --target label_eval
	@$(BUILD)/label_eval
	@bench/label_eval_speed.sh $(BUILD)

# Precision, recall and cost of the face detector on the labelled face set (docs/faces.md).
face-eval: build
	@scripts/fetch-models.sh
	@scripts/fetch-label-eval.sh bench/face_eval_set.txt face-eval
	@cmake --build $(BUILD) --target face_eval
	@$(BUILD)/face_eval --set bench/face_eval_set.txt --photos $${IMAGEMILL_CACHE:-.cache}/face-eval

# Words read right, false words and cost per image of the text processor, and how often and at
# what cost the "Text" label of --extra-labels text fires (docs/text.md).
text-eval: build
	@scripts/install-deps.sh --bench
	@scripts/fetch-label-eval.sh bench/text_eval_set.txt text-eval
	@cmake --build $(BUILD) --target text_eval
	@$(BUILD)/text_eval --all-words --label-cost

bench-smoke: build
	@scripts/install-deps.sh --bench
	@scripts/bench.sh $(BUILD) --smoke

# Builds the fuzz targets with clang's libFuzzer (ASan+UBSan) and runs each for FUZZ_SECONDS,
# keeping its corpus in .cache/fuzz/<target>. Warnings are not errors here: clang warns about
# things GCC does not, and the fuzz build must not stop on them.
fuzz:
	@scripts/install-deps.sh --fuzz
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DIMAGEMILL_FUZZ=ON -DIMAGEMILL_WERROR=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers
	@for f in $(FUZZ_BUILD)/*_fuzz; do \
	  name=$$(basename $$f); mkdir -p .cache/fuzz/$$name; \
	  dict=fuzz/$${name%_fuzz}.dict; [ -f $$dict ] && dictarg=-dict=$$dict || dictarg=; \
	  $$f $$dictarg -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 .cache/fuzz/$$name || exit 1; \
	done

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
