UNIT_TESTS += test_sim_stats
test_sim_stats_SRCS := host/stats/sim_stats.c host/stats/commit_stats.c host/cpu/insn_class.c host/util/log.c $(wildcard host/stats/registry*.c)
test_sim_stats_LIBS := -lm
