UNIT_TESTS += test_sweep_plan
test_sweep_plan_SRCS := host/sweep/sweep_plan.c host/ckpt/ini.c $(wildcard host/util/*.c)
