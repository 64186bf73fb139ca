UNIT_TESTS += test_apic_bus
test_apic_bus_SRCS := host/ckpt/section.c host/ckpt/ini.c host/dev/apic_bus.c host/dev/ioapic.c host/dev/lapic.c host/dev/pic8259.c host/sim/eventq.c host/mem/bus.c host/util/log.c
