UNIT_TESTS += test_kvm
test_kvm_SRCS := host/dev/m5dev.c host/dev/m5_writefile.c host/sim/eventq.c host/sandbox/sandbox.c \
	host/se/syscall_names.c $(CPU_CORE_SRCS)
test_kvm_LIBS := $(CPU_CORE_LIBS) -lseccomp
