UNIT_TESTS += test_m5_cli
test_m5_cli_SRCS := guest/m5_cli.c guest/libm5.c guest/m5op.c
