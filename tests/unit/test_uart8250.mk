UNIT_TESTS += test_uart8250
test_uart8250_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/uart8250.c host/mem/bus.c host/util/log.c
