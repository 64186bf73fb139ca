UNIT_TESTS += test_ckpt_cpu
test_ckpt_cpu_SRCS := host/ckpt/cpu_state.c host/ckpt/ini.c $(wildcard host/cpu/*.c) $(wildcard host/mem/*.c) \
	$(wildcard host/util/*.c)
test_ckpt_cpu_LIBS := -lZydis -lm
