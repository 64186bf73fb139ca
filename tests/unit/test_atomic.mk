UNIT_TESTS += test_atomic
test_atomic_SRCS := $(CPU_CORE_SRCS)
test_atomic_LIBS := $(CPU_CORE_LIBS)
