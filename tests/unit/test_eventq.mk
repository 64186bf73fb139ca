UNIT_TESTS += test_eventq
test_eventq_SRCS := host/sim/eventq.c $(wildcard host/util/*.c)
