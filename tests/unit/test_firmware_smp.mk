UNIT_TESTS += test_firmware_smp
test_firmware_smp_SRCS := host/firmware/mptable.c host/firmware/acpi.c host/dev/isa_irq.c host/dev/pic8259.c host/dev/ioapic.c host/dev/lapic.c host/dev/apic_bus.c host/ckpt/section.c host/ckpt/ini.c host/sim/eventq.c host/mem/bus.c host/util/log.c
