UNIT_TESTS += test_decode
test_decode_SRCS := $(CPU_CORE_SRCS)
test_decode_LIBS := $(CPU_CORE_LIBS)
