UNIT_TESTS += test_sandbox
test_sandbox_SRCS := host/sandbox/sandbox.c host/se/syscall_names.c $(wildcard host/util/*.c)
test_sandbox_LIBS := -lseccomp
