UNIT_TESTS += test_mmu
test_mmu_SRCS := $(CPU_CORE_SRCS)
test_mmu_LIBS := $(CPU_CORE_LIBS)
