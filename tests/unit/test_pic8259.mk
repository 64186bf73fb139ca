UNIT_TESTS += test_pic8259
test_pic8259_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/pic8259.c host/mem/bus.c host/util/log.c
