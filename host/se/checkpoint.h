/*
 * checkpoint.h - process checkpoints of `m5sim se`: a cpt.<tick>/ directory
 * written by ckpt/ckpt.c (atomic rename, fingerprinted index, sparse
 * memory.img), whose sections hold the process instead of a PC:
 *
 *   checkpoint.c   [se.process] (brk, mmap base, time, page allocator, image),
 *                  [se.signals] (handlers), [se.threadN] (every thread's
 *                  registers, masks, pending signals, alternate stack, futex
 *                  wait), [se.vmaN] (the memory map), free_pages.bin, [cpu0]
 *   ckpt_files.c   the tables of M-Sim's EIO_4 format: [se.fdN] (the
 *                  file-descriptor table) and [se.fileN] (the file
 *                  locations: every file the process has open or mapped,
 *                  staged as a copy; one it only reads also fingerprinted,
 *                  and recreated from the copy by a restore where it is gone)
 *
 * docs/checkpoint-format.md ("Process checkpoints") describes each table.
 */
#ifndef M5SIM_SE_CHECKPOINT_H
#define M5SIM_SE_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ckpt/ckpt.h"

struct se;

/* What the restoring command line says about the process's files. */
struct se_restore_opts {
    bool new_input;        /* --input given: descriptor 0 is that file from its start (M-Sim's crafty case) */
    bool allow_changed;    /* --allow-changed-inputs: an input file that changed is used as it is now */
};

/*
 * Write parent/cpt.<tick>/ of the process between two CPU runs. Returns 0
 * and the path, or -1 after one warning line saying why (a pipe or socket
 * among the descriptors, an I/O error): the run goes on without it.
 * `ram_backing` is the memory.img RAM is mapped from (a restored run), or NULL.
 */
int se_checkpoint_save(struct se *se, const char *parent, const char *cpu_type, const char *ram_backing,
                       char *path, size_t pathlen);

/* Open a checkpoint for an SE restore: exits 2 with one line when it is no process checkpoint or corrupt. */
void se_checkpoint_open(struct ckpt_image *img, const char *dir);
/* The program the checkpoint holds (its absolute path). */
const char *se_checkpoint_program(const struct ckpt_image *img);
/* Guest RAM mapped copy-on-write from the checkpoint's memory.img. */
uint8_t *se_checkpoint_map_ram(const struct ckpt_image *img);
/*
 * Load the process into se (RAM already mapped, the std streams of this run
 * already in descriptors 0..2): exits 2 with one line on a refusal.
 */
void se_checkpoint_restore(struct se *se, const struct ckpt_image *img, const struct se_restore_opts *o);

/* ---- ckpt_files.c: the EIO_4 tables ---- */

/* The file table being built for one checkpoint. */
struct se_files;
/* Collect the descriptors and the mapped files; NULL after writing why (a pipe, a socket, a deleted file). */
struct se_files *se_files_collect(struct se *se, char *why, size_t len);
/* The file-table index of the file behind mapping i (-1: anonymous memory). */
int se_files_vma(const struct se_files *f, unsigned i);
/* Write [se.files], [se.fileN] (copies staged as fileN.copy) and [se.fdN]; false on an I/O error. */
bool se_files_save(const struct se_files *f, struct ckpt_writer *w);
void se_files_free(struct se_files *f);

/* Read and check the tables of a checkpoint (nothing is opened or written yet); exits 2 on a refusal. */
struct se_files *se_files_load(struct ckpt_reader *r);
unsigned se_files_count(const struct se_files *f);
/* The absolute path of file i of the table. */
const char *se_files_path(const struct se_files *f, unsigned i);
/*
 * Check the inputs against their fingerprints (recreating absent ones from
 * their staged copies), copy the output files back to where the program
 * expects them, and rebuild the descriptor table (the
 * restoring run's streams in descriptors 0..2); exits 2 with one line on a
 * refusal.
 */
void se_files_apply(struct se *se, const struct se_files *f, struct ckpt_reader *r, const struct se_restore_opts *o);

/* Record what descriptors 0, 1, 2 are now: the std streams a checkpoint names as such. */
void se_files_note_streams(struct se *se);

#endif
