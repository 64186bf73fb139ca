UNIT_TESTS += test_pagetable
test_pagetable_SRCS := host/mem/pagetable.c host/mem/bus.c $(wildcard host/util/*.c)
