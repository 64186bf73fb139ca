/*
 * m5dev_ckpt.h - the m5 device's checkpoint state: its counters and the m5
 * ops still pending (a delayed exit or fail, periodic statistics, periodic
 * checkpoints), so that a restore continues them where the checkpoint left
 * them. The script queue is not state: a restore gets the --script given to it.
 */
#ifndef M5SIM_DEV_M5DEV_CKPT_H
#define M5SIM_DEV_M5DEV_CKPT_H

#include <stdbool.h>

#include "ckpt/section.h"
#include "dev/m5dev.h"

void m5dev_save(const struct m5dev *d, struct ckpt_writer *w, const char *section);
/* Load and re-schedule the pending ops; false with r->error set on a missing or out-of-range field. */
bool m5dev_load(struct m5dev *d, struct ckpt_reader *r, const char *section);

#endif
