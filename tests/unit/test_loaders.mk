UNIT_TESTS += test_loaders
test_loaders_SRCS := host/machine/boot.c host/machine/payload.c $(SE_MODE_SRCS)
test_loaders_LIBS := $(SE_MODE_LIBS) -lz -llzma -lzstd -llz4
