UNIT_TESTS += test_lapic
test_lapic_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/lapic.c host/dev/apic_bus.c host/dev/pic8259.c host/sim/eventq.c host/mem/bus.c host/util/log.c
