# Fuzzing (docs/fuzzing.md), included by tests/tests.mk; not part of `make test`.
#
#   make fuzz                    build every target into build/fuzz/ and run each FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=300   longer runs
#   make fuzz-build              build only
#
# The targets are libFuzzer programs (clang -fsanitize=fuzzer) with
# AddressSanitizer and UndefinedBehaviorSanitizer; the host sources are built
# again with those flags under build/fuzz/obj/ and linked whole, except
# host/util/log.c, which tests/fuzz/fuzz_log.c replaces (fatal() returns to
# the target). Each run starts from the seed corpus tests/fuzz/corpus/<target>/
# and first replays tests/fuzz/regressions/<target>/ (inputs that crashed once).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := fuzz_ckpt fuzz_boot fuzz_virtio fuzz_m5op fuzz_se_elf
# -max_len per target: an index of a few KiB, a kernel header with its program headers,
# registers and 1 MiB of guest RAM (only the start matters), op records and their buffers, a small program.
fuzz_ckpt_MAXLEN   := 16384
fuzz_boot_MAXLEN   := 65536
fuzz_virtio_MAXLEN := 16384
fuzz_m5op_MAXLEN   := 8192
fuzz_se_elf_MAXLEN := 16384

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# clang (unlike gcc) counts a field left out of libseccomp's SCMP_A0() compound literal as missing.
FUZZ_CFLAGS := -std=gnu11 $(WARN) -Wno-unknown-warning-option -Wno-format-truncation -Wno-missing-field-initializers -g -O1 \
	-fno-omit-frame-pointer $(FUZZ_SAN) -D_GNU_SOURCE -Ihost -Ishared -Iguest -Itests/fuzz -Itests/unit
FUZZ_HOST_OBJS := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(filter-out host/util/log.c,$(HOST_LIB_SRCS)))

$(B)/fuzz/obj/host/%.o: host/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(B)/fuzz/obj/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(B)/fuzz/fuzz_%: $(B)/fuzz/obj/tests/fuzz/fuzz_%.o $(B)/fuzz/obj/tests/fuzz/fuzz_log.o $(FUZZ_HOST_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(HOST_LIBS) -lcmocka

FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
.SECONDARY: $(FUZZ_HOST_OBJS) $(FUZZ_TARGETS:%=$(B)/fuzz/obj/tests/fuzz/%.o) $(B)/fuzz/obj/tests/fuzz/fuzz_log.o

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# Replay the regressions, then fuzz; a crash stops `make fuzz` with the input in build/fuzz/crashes/.
fuzz:
	@scripts/deps.sh --fuzz
	$(MAKE) fuzz-build
	@$(MAKE) --no-print-directory fuzz-run

.PHONY: fuzz-run
fuzz-run:
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: needs clang (scripts/deps.sh --fuzz)"; exit 2; }
	@set -e; export ASAN_OPTIONS=detect_leaks=0; mkdir -p $(B)/fuzz/crashes; for t in $(FUZZ_TARGETS); do \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  if ls tests/fuzz/regressions/$$t/* >/dev/null 2>&1; then \
	    $(B)/fuzz/$$t -detect_leaks=0 tests/fuzz/regressions/$$t/* >$(B)/fuzz/$$t.regressions.log 2>&1 || \
	      { tail -40 $(B)/fuzz/$$t.regressions.log; exit 1; }; fi; \
	  mkdir -p $(B)/fuzz/corpus/$$t; \
	  $(B)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$(case $$t in \
	    fuzz_ckpt) echo $(fuzz_ckpt_MAXLEN);; fuzz_boot) echo $(fuzz_boot_MAXLEN);; \
	    fuzz_virtio) echo $(fuzz_virtio_MAXLEN);; fuzz_m5op) echo $(fuzz_m5op_MAXLEN);; \
	    *) echo $(fuzz_se_elf_MAXLEN);; esac) \
	    -timeout=10 -detect_leaks=0 -print_final_stats=1 -artifact_prefix=$(B)/fuzz/crashes/$$t- \
	    $(B)/fuzz/corpus/$$t tests/fuzz/corpus/$$t >$(B)/fuzz/$$t.log 2>&1 || \
	    { tail -60 $(B)/fuzz/$$t.log; exit 1; }; \
	  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)' $(B)/fuzz/$$t.log || true; \
	done
