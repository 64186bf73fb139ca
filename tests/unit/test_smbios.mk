UNIT_TESTS += test_smbios
test_smbios_SRCS := host/firmware/smbios.c
