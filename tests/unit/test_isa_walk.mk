UNIT_TESTS += test_isa_walk
test_isa_walk_SRCS := $(CPU_CORE_SRCS)
test_isa_walk_LIBS := $(CPU_CORE_LIBS)
