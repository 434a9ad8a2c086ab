# match.mk - the matching engine's extra link flags, test fixtures and
# benchmark driver (included by the Makefile).

# libcsv (Debian libcsv-dev) has no pkg-config file.
LDLIBS += -lcsv

MATCH_BENCH := $(BUILD)/bench/match_drv

$(MATCH_BENCH): bench/match/match_drv.c $(BUILD)/libhomeward.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libhomeward.a $(LDFLAGS) $(LDLIBS) -o $@

# Diagnostics on labelled records (blocking misses, error patterns): a
# tuning tool that compiles index.c into itself.
MATCH_DIAG := $(BUILD)/bench/match_diag

$(MATCH_DIAG): bench/match/diag.c src/match/index.c $(BUILD)/libhomeward.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libhomeward.a $(LDFLAGS) $(LDLIBS) -o $@

.PHONY: match-bench
match-bench: all $(MATCH_BENCH)
	@bench/match.sh $(BUILD)
