UNIT_TESTS += test_block
test_block_SRCS := $(CPU_CORE_SRCS)
test_block_LIBS := $(CPU_CORE_LIBS)
