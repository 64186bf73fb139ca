UNIT_TESTS += test_pc_misc
test_pc_misc_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/pc_misc.c host/mem/bus.c host/util/log.c
