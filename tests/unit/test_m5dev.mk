UNIT_TESTS += test_m5dev
test_m5dev_SRCS := host/dev/m5dev.c host/dev/m5_writefile.c host/sim/eventq.c $(CPU_CORE_SRCS)
test_m5dev_LIBS := $(CPU_CORE_LIBS)
