UNIT_TESTS += test_ckpt_platform
test_ckpt_platform_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/pci.c host/dev/acpi_pm.c \
	host/dev/piix_ide.c host/machine/pc_platform.c host/disk/disk.c host/mem/bus.c host/util/fs.c host/util/log.c
