UNIT_TESTS += test_bus
test_bus_SRCS := host/mem/bus.c $(wildcard host/util/*.c)
