UNIT_TESTS += test_se_vm
test_se_vm_SRCS := $(SE_MODE_SRCS)
test_se_vm_LIBS := $(SE_MODE_LIBS)
