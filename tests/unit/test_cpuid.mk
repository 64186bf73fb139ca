UNIT_TESTS += test_cpuid
test_cpuid_SRCS := host/cpu/cpuid.c
