/*
 * version.h - the m5sim release. Raise it with every release that changes
 * what users see; the checkpoint format has its own number (CKPT_FORMAT_VERSION
 * in ckpt/ckpt.h), raised only when old checkpoints can no longer be read.
 */
#ifndef M5SIM_VERSION_H
#define M5SIM_VERSION_H

#define M5SIM_VERSION "0.1.0"

#endif
