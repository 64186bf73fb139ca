UNIT_TESTS += test_pit8254
test_pit8254_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/pit8254.c host/sim/eventq.c host/mem/bus.c host/util/log.c
