UNIT_TESTS += test_schedule
test_schedule_SRCS := host/machine/schedule.c
