/*
 * m5_main.c - the static guest agent /sbin/m5 (see guest/m5_cli.h,
 * docs/m5-agent.md).
 */
#include "m5_cli.h"

int main(int argc, char **argv)
{
    return m5_cli_main(argc, argv);
}
