UNIT_TESTS += test_virtio_pci
test_virtio_pci_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/pci.c host/dev/virtio_blk.c \
	host/dev/virtio_pci.c host/disk/disk.c host/mem/bus.c host/sim/eventq.c $(wildcard host/util/*.c)
