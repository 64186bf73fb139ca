# Test targets, included by the top-level Makefile.
#
# Unit tests (cmocka): each tests/unit/<name>.mk fragment appends <name> to
# UNIT_TESTS and sets <name>_SRCS (sources besides tests/unit/<name>.c) and
# optionally <name>_LIBS. They build with the host compiler into build/tests/.
#
# System tests: every tests/system/<NN>_*.sh, run in name order from the
# top of the tree; each prints its own PASS/FAIL lines and exits non-zero on failure.

UNIT_TESTS :=
# The interpreter and what it needs (no timing model, memory hierarchy or
# statistics), for the unit tests that run CPU code.
CPU_CORE_SRCS := $(filter-out host/cpu/timing.c host/cpu/o3_core.c,$(wildcard host/cpu/*.c)) \
	$(filter-out host/mem/memsys%.c,$(wildcard host/mem/*.c)) $(wildcard host/util/*.c)
CPU_CORE_LIBS := -lZydis -lmpfr -lgmp -lm
# SE mode and what it links: its CPU models (the whole CPU, the memory
# hierarchy, statistics, the shared options), the sandbox, and checkpoints
# (ckpt/, which also writes full-system disks).
SE_MODE_SRCS := $(wildcard host/se/*.c) $(wildcard host/cpu/*.c) $(wildcard host/mem/*.c) \
	$(wildcard host/stats/*.c) host/machine/config.c host/machine/config_cpu.c \
	$(wildcard host/util/*.c) host/sandbox/sandbox.c $(wildcard host/ckpt/*.c) host/disk/disk.c
SE_MODE_LIBS := $(CPU_CORE_LIBS) -lseccomp
-include $(sort $(wildcard tests/unit/*.mk))

UNIT_CFLAGS := -std=gnu11 $(WARN) -Wno-format-truncation -O1 -g -D_GNU_SOURCE -Ihost -Ishared -Iguest -MMD -MP

# Host sources listed in <name>_SRCS are linked as the objects `make` already
# built for the simulator (same flags), so each test does not recompile them.
host_objs = $(patsubst host/%.c,$(B)/obj/host/%.o,$(filter host/%.c,$(1)))
other_srcs = $(filter-out host/%.c,$(1))

define unit_test_rule
$(B)/tests/$(1): tests/unit/$(1).c $$(call other_srcs,$$($(1)_SRCS)) $$(call host_objs,$$($(1)_SRCS)) $$($(1)_DEPS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(UNIT_CFLAGS) $$($(1)_CFLAGS) -o $$@ tests/unit/$(1).c $$(call other_srcs,$$($(1)_SRCS)) $$(call host_objs,$$($(1)_SRCS)) $$($(1)_DEPS) -lcmocka $$($(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rule,$(t))))

UNIT_BINS := $(UNIT_TESTS:%=$(B)/tests/%)

.PHONY: unit-test system-test
unit-test: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

SYSTEM_TESTS := $(sort $(wildcard tests/system/[0-9]*.sh))
system-test:
	@set -e; for t in $(SYSTEM_TESTS); do echo "== $$t"; $$t; done

# CPU differential tests: tests/cpu/*.c against the host objects, run natively and interpreted.
CPU_TEST_SRCS := $(sort $(wildcard tests/cpu/*.c))
$(B)/tests/cpu_diff: $(CPU_TEST_SRCS) tests/cpu/diff.h $(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -Itests/cpu -O1 -o $@ $(CPU_TEST_SRCS) $(HOST_LIB_OBJS) $(HOST_LIBS)

.PHONY: cpu-test kernel-test
cpu-test: $(B)/tests/cpu_diff
	$(B)/tests/cpu_diff

kernel-test:
	tests/kernel/check_config.sh
	tests/kernel/check_config.sh $(B)/images/gem5-like/config images/kernel/gem5-like.fragment

# Fuzz targets (make fuzz; not part of make test).
include tests/fuzz/fuzz.mk
