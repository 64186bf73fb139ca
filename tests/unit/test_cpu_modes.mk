UNIT_TESTS += test_cpu_modes
test_cpu_modes_SRCS := $(CPU_CORE_SRCS)
test_cpu_modes_LIBS := $(CPU_CORE_LIBS)
