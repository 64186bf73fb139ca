UNIT_TESTS += test_loaders
test_loaders_SRCS := host/machine/boot.c $(wildcard host/se/*.c) $(wildcard host/cpu/*.c) $(wildcard host/mem/*.c) \
	$(wildcard host/stats/*.c) host/machine/config.c host/machine/config_cpu.c $(wildcard host/util/*.c)
test_loaders_LIBS := $(CPU_CORE_LIBS)
