UNIT_TESTS += test_payload
test_payload_SRCS := host/machine/payload.c
test_payload_LIBS := -lz -llzma -lzstd -llz4
