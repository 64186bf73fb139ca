UNIT_TESTS += test_ckpt_cpu
test_ckpt_cpu_SRCS := host/ckpt/cpu_state.c host/ckpt/section.c host/ckpt/ini.c $(CPU_CORE_SRCS)
test_ckpt_cpu_LIBS := $(CPU_CORE_LIBS)
