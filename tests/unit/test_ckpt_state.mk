UNIT_TESTS += test_ckpt_state
test_ckpt_state_SRCS := host/ckpt/section.c host/ckpt/ini.c host/ckpt/ckpt.c host/ckpt/cpu_state.c \
	host/ckpt/fingerprint.c host/ckpt/memory.c host/disk/disk.c \
	host/dev/pic8259.c host/dev/pit8254.c host/dev/lapic.c host/dev/apic_bus.c host/dev/ioapic.c host/dev/rtc_cmos.c \
	host/dev/uart8250.c host/dev/pc_misc.c host/dev/virtio_blk.c host/dev/m5dev.c host/dev/m5dev_ckpt.c \
	host/dev/m5_writefile.c host/sim/eventq.c $(CPU_CORE_SRCS)
test_ckpt_state_LIBS := $(CPU_CORE_LIBS)
test_ckpt_state_CFLAGS := -DSRCDIR=\"$(CURDIR)\"
