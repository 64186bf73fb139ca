# m5sim - one Makefile for the host simulator, the guest agent, the guest
# kernel and disk image, the tests and the benchmarks.
#
#   make            host simulator (build/bin/m5sim) and guest agent (build/guest/m5, libm5.a)
#   make kernel     build/images/vmlinux, bzImage (cached outside the tree, see images/kernel/)
#   make image      build/images/rootfs.img
#   make debian-image  build/images/debian.img (a Debian system from mmdebstrap; cached)
#   make test       install missing packages, build everything, run every test
#   make demo       boot, checkpoint, restore twice with new scripts, show the results
#   make bench      performance figures (see docs/performance.md)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX  ?= /usr/local
DESTDIR ?=
B       := build

CC       ?= gcc
MUSLCC   ?= musl-gcc
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
# Paths are built with snprintf into PATH_MAX buffers; truncation is safe there, so GCC's
# speculative format-truncation warnings are off.
HOST_CFLAGS  := -std=gnu11 $(WARN) -Wno-format-truncation $(CFLAGS) -D_GNU_SOURCE -Ihost -Ishared -MMD -MP
GUEST_CFLAGS := -std=c11 $(WARN) -O2 -D_GNU_SOURCE -Ishared -Iguest -MMD -MP
HOST_LIBS    := -lZydis -lmpfr -lgmp -ledit -lseccomp -lz -llzma -lzstd -llz4 -lm

.DEFAULT_GOAL := all
.PHONY: all host guest kernel image debian-image deps test unit-test bench demo install clean FORCE

# ---------------------------------------------------------------- host --
HOST_SRCS := $(sort $(shell find host -name '*.c' 2>/dev/null))
HOST_MAIN := host/main.c
HOST_LIB_SRCS := $(filter-out $(HOST_MAIN),$(HOST_SRCS))
HOST_LIB_OBJS := $(HOST_LIB_SRCS:%.c=$(B)/obj/%.o)

$(B)/obj/host/%.o: host/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

# The host objects are linked directly, not through an archive: instruction
# families register themselves through weak references (host/cpu/exec.c),
# which an archive would not resolve.

ifneq ($(wildcard $(HOST_MAIN)),)
HOST_BIN := $(B)/bin/m5sim
$(HOST_BIN): $(B)/obj/host/main.o $(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(HOST_LIBS)
endif
host: $(HOST_BIN)

# --------------------------------------------------------------- guest --
GUEST_LIB_SRCS := guest/libm5.c guest/m5op.c
GUEST_LIB_OBJS := $(GUEST_LIB_SRCS:%.c=$(B)/obj/%.musl.o)

$(B)/obj/guest/%.musl.o: guest/%.c
	@mkdir -p $(dir $@)
	$(MUSLCC) $(GUEST_CFLAGS) -c $< -o $@

$(B)/guest/libm5.a: $(GUEST_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
	cp guest/m5.h $(B)/guest/m5.h

$(B)/guest/m5: $(B)/obj/guest/m5_main.musl.o $(B)/obj/guest/m5_cli.musl.o $(B)/guest/libm5.a
	$(MUSLCC) -static -O2 -o $@ $^

guest: $(B)/guest/m5 $(B)/guest/libm5.a

all: host guest

# ------------------------------------------------------ kernel, image --
deps:
	@scripts/deps.sh

kernel: $(B)/images/vmlinux
$(B)/images/vmlinux $(B)/images/bzImage: images/kernel/config.fragment images/kernel/build.sh
	images/kernel/build.sh $(B)/images
	@touch $(B)/images/vmlinux $(B)/images/bzImage

# A kernel configured like gem5's published x86 kernels (PCI, ata_piix, MP
# tables, ACPI, no virtio), for tests/system/56_gem5_kernel.sh; cached the same way.
GEM5_KERNEL := $(B)/images/gem5-like/vmlinux
$(GEM5_KERNEL): images/kernel/gem5-like.fragment images/kernel/build.sh
	images/kernel/build.sh $(B)/images/gem5-like gem5-like
	@touch $@

BENCH_SRCS := $(wildcard images/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:images/bench/%.c=$(B)/bench/%)
$(B)/bench/%: images/bench/%.c images/bench/bench_util.h $(B)/guest/libm5.a
	@mkdir -p $(dir $@)
	$(MUSLCC) -static -std=c11 $(WARN) -O2 -Iguest -Iimages/bench -o $@ $< $(B)/guest/libm5.a

IMAGE_INPUTS := $(shell find images/rootfs images/lib images/mkimage.sh -type f 2>/dev/null)
image: $(B)/images/rootfs.img
$(B)/images/rootfs.img: $(B)/guest/m5 $(BENCH_BINS) $(IMAGE_INPUTS)
	images/mkimage.sh -o $@ -m $(B)/guest/m5 --bench $(B)/bench
# The same content in an MBR partition (root=/dev/sda1), as gem5's images are laid out.
$(B)/images/rootfs-part.img: $(B)/guest/m5 $(IMAGE_INPUTS)
	images/mkimage.sh -o $@ -m $(B)/guest/m5 --partition

# A Debian system (mmdebstrap, systemd, m5sim-rcs.service running the rcS loop); built
# once per set of inputs and cached in ~/.cache/m5sim/debian-image/ (images/debian-image.sh).
DEBIAN_IMAGE_INPUTS := images/debian-image.sh images/lib/mbr.sh images/rootfs/rcS $(wildcard images/rootfs/debian/*)
debian-image: $(B)/images/debian.img
$(B)/images/debian.img: $(B)/guest/m5 $(DEBIAN_IMAGE_INPUTS)
	images/debian-image.sh -o $@ -m $(B)/guest/m5

# ---------------------------------------------------------------- tests --
include tests/tests.mk

test: deps
	$(MAKE) all kernel image $(BENCH_BINS) $(GEM5_KERNEL) $(B)/images/rootfs-part.img
	$(MAKE) unit-test kernel-test cpu-test system-test

# ----------------------------------------------------------------- demo --
demo: deps
	$(MAKE) all kernel image
	scripts/demo.sh

# ---------------------------------------------------------------- bench --
bench: deps
	$(MAKE) all kernel image $(BENCH_BINS)
	scripts/bench.sh

# -------------------------------------------------------------- install --
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/share/m5sim/guest
	$(if $(HOST_BIN),install -m 755 $(HOST_BIN) $(DESTDIR)$(PREFIX)/bin/m5sim)
	install -m 755 $(B)/guest/m5 $(DESTDIR)$(PREFIX)/share/m5sim/guest/m5
	install -m 644 $(B)/guest/libm5.a $(DESTDIR)$(PREFIX)/share/m5sim/guest/libm5.a
	install -m 644 guest/m5.h $(DESTDIR)$(PREFIX)/share/m5sim/guest/m5.h
	install -m 644 shared/m5ops.h $(DESTDIR)$(PREFIX)/share/m5sim/guest/m5ops.h
	for f in vmlinux bzImage rootfs.img; do \
	  [ ! -f $(B)/images/$$f ] || install -m 644 $(B)/images/$$f $(DESTDIR)$(PREFIX)/share/m5sim/$$f; done

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
