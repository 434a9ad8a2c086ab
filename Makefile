# Homeward - build, run, test, check, bench.
# `make run` and `make test` are the quick start (see README.md).

CC      ?= cc
BUILD   ?= build
PKGS    := sqlite3 libmicrohttpd libsodium icu-uc icu-i18n jansson uuid
DEB     := gcc make pkg-config libsqlite3-dev libmicrohttpd-dev libsodium-dev \
           libicu-dev libjansson-dev uuid-dev libcmocka-dev sqlite3 nodejs \
           faketime openssl libcsv-dev
DEB_BENCH := wrk postgresql sqlmap python3 icu-devtools time curl
DB      ?= homeward.db
LISTEN  ?= 127.0.0.1:8080
PERSONS ?= 2000

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1
else ifeq ($(SAN),fuzz)
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1
else
OPT      := -O2
endif

CFLAGS  = -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Werror -Wshadow \
          -Wstrict-prototypes -Wno-missing-field-initializers $(SANFLAGS) \
          -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
LDFLAGS = $(SANFLAGS)
LDLIBS  = $(shell pkg-config --libs $(PKGS)) -lpthread -lm

SRCS    := $(filter-out src/main.c,$(wildcard src/*/*.c))
OBJS    := $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
EMBED   := $(sort $(wildcard src/store/migrations/*.sql)) data/gazetteer.tsv \
           data/names.tsv data/common-passwords.txt api/openapi.json \
           data/links.tsv data/commitments.tsv
UNIT    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ    := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
UNIT    += $(patsubst %,$(BUILD)/tests/test_fuzz_%,$(FUZZ))
FUZZ_SECONDS ?= 60

.PHONY: all deps deps-bench run test check lint bench clean
.DEFAULT_GOAL := all

all: $(BUILD)/homeward

deps:
	@tools/deps.sh $(DEB)

deps-bench:
	@tools/deps.sh $(DEB) $(DEB_BENCH)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED)
	@mkdir -p $(@D)
	$(BUILD)/tools/embed $@ $(foreach f,$(EMBED),$(patsubst src/store/%,%,$(patsubst data/%,%,$(patsubst api/%,%,$(f))))=$(f))

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libhomeward.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/homeward: $(BUILD)/src/main.o $(BUILD)/libhomeward.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libhomeward.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libhomeward.a $(LDFLAGS) $(LDLIBS) -lcmocka -o $@

# Each fuzz target replays its corpus as a test (fuzz/replay.c) ...
$(BUILD)/tests/test_fuzz_%: fuzz/fuzz_%.c fuzz/replay.c $(BUILD)/libhomeward.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCORPUS='"fuzz/corpus/$*"' fuzz/fuzz_$*.c fuzz/replay.c $(BUILD)/libhomeward.a $(LDFLAGS) $(LDLIBS) -o $@

# ... and `make fuzz` runs each under libFuzzer (clang) for FUZZ_SECONDS,
# growing its corpus; new inputs land in fuzz/corpus/NAME.
.PHONY: fuzz
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang build/fuzz/libhomeward.a
	@set -e; for t in $(FUZZ); do \
	    clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Ibuild/fuzz/gen \
	        $$(pkg-config --cflags $(PKGS)) -DCORPUS='"fuzz/corpus/'$$t'"' fuzz/fuzz_$$t.c \
	        -Wl,--allow-multiple-definition build/fuzz/libhomeward.a $(LDLIBS) -o build/fuzz/fuzz_$$t; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	    build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=512 fuzz/corpus/$$t 2>&1 | tail -2; \
	done

run: deps all
	@tools/run.sh $(BUILD)/homeward $(DB) $(LISTEN) $(PERSONS)

test: deps all $(UNIT)
	@tests/run.sh $(BUILD)

lint:
	@tools/lint.sh

check: deps lint
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 all build/san/tests/.built
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 tests/run.sh build/san

$(BUILD)/tests/.built: $(UNIT)
	@touch $@

bench: deps-bench all
	@bench/run.sh $(BUILD)

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(BUILD)/src/main.d
# Subsystems may add their own targets (tools, benchmarks) here.
-include $(wildcard mk/*.mk)

# Regenerate the API description from the route table and the field tables
# (a maintainer's step; the result is committed and a test keeps it true).
.PHONY: openapi
openapi: all
	python3 tools/openapi.py . $(BUILD)/homeward > api/openapi.json.new && mv api/openapi.json.new api/openapi.json
