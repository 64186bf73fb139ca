UNIT_TESTS += test_rtc_cmos
test_rtc_cmos_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/rtc_cmos.c host/sim/eventq.c host/mem/bus.c host/util/log.c
