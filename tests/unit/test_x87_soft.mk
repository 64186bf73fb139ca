UNIT_TESTS += test_x87_soft
test_x87_soft_SRCS := host/cpu/x87_soft.c
test_x87_soft_LIBS := -lmpfr -lgmp
