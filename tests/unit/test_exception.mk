UNIT_TESTS += test_exception
test_exception_SRCS := $(CPU_CORE_SRCS)
test_exception_LIBS := $(CPU_CORE_LIBS)
