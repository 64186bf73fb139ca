UNIT_TESTS += test_disk
test_disk_SRCS := host/disk/disk.c $(wildcard host/util/*.c)
