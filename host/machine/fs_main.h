/* fs_main.h - the full-system entry point of the m5sim command. */
#ifndef M5SIM_MACHINE_FS_MAIN_H
#define M5SIM_MACHINE_FS_MAIN_H

int fs_main(int argc, char **argv);

#endif
