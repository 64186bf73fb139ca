UNIT_TESTS += test_loaders
test_loaders_SRCS := host/machine/boot.c $(SE_MODE_SRCS)
test_loaders_LIBS := $(SE_MODE_LIBS)
