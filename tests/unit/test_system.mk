UNIT_TESTS += test_system
# The CPU core, the memory system, logging, and a local APIC for the CR8 test.
test_system_DEPS := $(filter-out $(B)/obj/host/cpu/timing.o $(B)/obj/host/cpu/o3_core.o $(B)/obj/host/mem/memsys%,\
	$(filter $(B)/obj/host/cpu/% $(B)/obj/host/mem/% $(B)/obj/host/util/% \
	$(B)/obj/host/dev/lapic.o $(B)/obj/host/dev/apic_bus.o $(B)/obj/host/dev/pic8259.o $(B)/obj/host/ckpt/section.o $(B)/obj/host/ckpt/ini.o $(B)/obj/host/sim/eventq.o,$(HOST_LIB_OBJS)))
test_system_LIBS := -lZydis -lmpfr -lgmp -lm
