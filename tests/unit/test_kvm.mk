UNIT_TESTS += test_kvm
test_kvm_SRCS := $(CPU_CORE_SRCS)
test_kvm_LIBS := $(CPU_CORE_LIBS)
