UNIT_TESTS += test_se_vm
# SE mode links its CPU models: the whole CPU, the memory hierarchy, statistics and the shared options.
test_se_vm_SRCS := $(wildcard host/se/*.c) $(wildcard host/cpu/*.c) $(wildcard host/mem/*.c) $(wildcard host/stats/*.c) \
	host/machine/config.c host/machine/config_cpu.c $(wildcard host/util/*.c) host/sandbox/sandbox.c
test_se_vm_LIBS := $(CPU_CORE_LIBS) -lseccomp
