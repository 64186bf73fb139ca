UNIT_TESTS += test_virtio_blk
test_virtio_blk_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/virtio_blk.c host/disk/disk.c host/mem/bus.c host/sim/eventq.c $(wildcard host/util/*.c)
