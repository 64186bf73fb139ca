/*
 * piix_ide.h - an Intel PIIX4-style IDE controller (PCI 8086:7111) in
 * compatibility mode: the primary channel at ports 0x1F0-0x1F7/0x3F6 on
 * ISA IRQ 14, the secondary at 0x170-0x177/0x376 on IRQ 15, and the
 * bus-master IDE registers (BAR4, 16 I/O ports) for DMA. What Linux's
 * ata_piix driver needs of it.
 *
 * Each channel has a master and a slave position; disks fill them in the
 * order primary master, primary slave, secondary master, secondary slave
 * (/dev/sda, sdb, ...). The drives speak the ATA commands IDENTIFY DEVICE,
 * READ/WRITE SECTORS (EXT) in PIO, READ/WRITE DMA (EXT), FLUSH CACHE (EXT),
 * SET FEATURES, SET MULTIPLE MODE, INITIALIZE DEVICE PARAMETERS and a few
 * no-ops; any other command is aborted. LBA addressing only.
 *
 * Like virtio-blk, a DMA transfer completes when the driver starts the bus
 * master (deterministic and simple); every PRD address and length is
 * checked against guest RAM and a bad table ends the transfer with the
 * bus-master error bit.
 */
#ifndef M5SIM_DEV_PIIX_IDE_H
#define M5SIM_DEV_PIIX_IDE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dev/irq.h"
#include "dev/pci.h"

struct bus;
struct ckpt_reader;
struct ckpt_writer;
struct disk;

#define PIIX_IDE_DRIVES 4

/* One channel's task file, PIO buffer and bus-master registers. */
struct piix_ide_channel {
    uint8_t feature, nsect, lbal, lbam, lbah;          /* as last written */
    uint8_t hob_feature, hob_nsect, hob_lbal, hob_lbam, hob_lbah;   /* the write before (LBA48) */
    uint8_t device, status, error, control, command;
    uint8_t intrq;                                      /* the drive asserts its interrupt */
    uint8_t multiple;                                   /* SET MULTIPLE MODE count (unused by PIO here) */
    uint8_t dma_pending;                                /* a DMA command waits for the bus master */
    uint8_t dma_write;                                  /* that command writes the disk */
    uint8_t pio_write;                                  /* the PIO buffer is filled by the guest */
    uint64_t lba;                                       /* next sector of the current command */
    uint32_t sectors_left;                              /* after the buffer's */
    uint32_t buf_pos, buf_len;
    uint8_t buf[512];
    uint8_t bm_command, bm_status;
    uint32_t bm_prd;
};

struct piix_ide_state {
    uint8_t pci_config[256];
    struct piix_ide_channel ch[2];
    uint64_t reads, writes, flushes, errors, bytes_read, bytes_written;
};

struct piix_ide {
    struct piix_ide_state s;
    /* Wiring. */
    struct pci_function pci;
    struct disk *disk[PIIX_IDE_DRIVES];                 /* NULL: no drive in that position */
    struct bus *bus;
    struct irq_line irq[2];                             /* ISA IRQ 14, 15 */
    char serial[PIIX_IDE_DRIVES][21];
};

void piix_ide_init(struct piix_ide *d, struct bus *bus, struct irq_line primary, struct irq_line secondary);
/* Put a disk in position 0..3 (before piix_ide_attach). */
void piix_ide_set_disk(struct piix_ide *d, unsigned position, struct disk *disk, const char *serial);
/* Map the legacy ports and add the PCI function in `slot`. */
void piix_ide_attach(struct piix_ide *d, struct bus *bus, struct pci_host *pci, unsigned slot);
/*
 * Checkpoint state (ckpt/section.h): the PCI configuration space, both
 * channels' task files, PIO buffers and bus-master registers, and the
 * counters. A load refuses values the controller never holds (a buffer
 * position past its length, a sector address past LBA48, bus-master bits
 * that do not exist) and a configuration space of another function.
 */
void piix_ide_save(const struct piix_ide *d, struct ckpt_writer *w, const char *section);
bool piix_ide_load(struct piix_ide *d, struct ckpt_reader *r, const char *section);

#endif
