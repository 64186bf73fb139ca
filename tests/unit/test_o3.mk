UNIT_TESTS += test_o3
test_o3_SRCS := $(CPU_CORE_SRCS)
test_o3_LIBS := $(CPU_CORE_LIBS)
