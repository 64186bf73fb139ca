UNIT_TESTS += test_kvm
test_kvm_SRCS := host/dev/m5dev.c host/dev/m5_writefile.c host/sim/eventq.c host/sandbox/sandbox.c \
	host/se/syscall_names.c host/dev/apic_bus.c host/dev/lapic.c host/dev/ioapic.c host/dev/pic8259.c \
	host/ckpt/section.c host/ckpt/ini.c host/machine/schedule.c $(CPU_CORE_SRCS)
test_kvm_LIBS := $(CPU_CORE_LIBS) -lseccomp
