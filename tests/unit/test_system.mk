UNIT_TESTS += test_system
# The CPU core, the memory system and logging (the rest of host/ is not needed).
test_system_DEPS := $(filter $(B)/obj/host/cpu/% $(B)/obj/host/mem/% $(B)/obj/host/util/%,$(HOST_LIB_OBJS))
test_system_LIBS := -lZydis -lmpfr -lgmp -lm
