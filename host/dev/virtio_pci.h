/*
 * virtio_pci.h - the virtio block device (dev/virtio_blk.h) on the modern
 * virtio-pci transport (virtio 1.1, section 4.1): a PCI function (vendor
 * 0x1af4, device 0x1042, no legacy interface) whose vendor-specific
 * capabilities point into memory BAR 0 at the common configuration, ISR,
 * device configuration and notification structures. The interrupt is INTA,
 * level-triggered, lowered when the driver reads the ISR; there is no MSI-X
 * (Linux then uses INTx).
 *
 * Checkpoint: [SECTION] holds the PCI configuration space (the guest's BAR
 * and command register); the device keeps its own [virtio_blkN] section, the
 * same as on virtio-mmio.
 */
#ifndef M5SIM_DEV_VIRTIO_PCI_H
#define M5SIM_DEV_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/pci.h"
#include "dev/virtio_blk.h"

struct bus;
struct disk;
struct eventq;
struct ckpt_reader;
struct ckpt_writer;

/* BAR 0's layout: one structure per 4 KiB page. */
#define VIRTIO_PCI_BAR_SIZE     0x4000u
#define VIRTIO_PCI_COMMON_OFF   0x0000u
#define VIRTIO_PCI_ISR_OFF      0x1000u
#define VIRTIO_PCI_DEVICE_OFF   0x2000u
#define VIRTIO_PCI_NOTIFY_OFF   0x3000u

struct virtio_pci_blk {
    uint8_t pci_config[256];     /* state: the function's configuration space */
    struct virtio_blk blk;       /* the device, its state and wiring */
    struct pci_function pci;
};

void virtio_pci_blk_init(struct virtio_pci_blk *d, struct disk *disk, struct bus *bus, struct eventq *eq,
                         const char *serial);
/* Put the function in `slot`; its INTA becomes the device's interrupt. */
void virtio_pci_blk_attach(struct virtio_pci_blk *d, struct pci_host *pci, unsigned slot);

/* BAR 0 accesses (also for tests): `offset` inside the BAR. */
uint32_t virtio_pci_blk_bar_read(struct virtio_pci_blk *d, uint64_t offset, unsigned size);
void virtio_pci_blk_bar_write(struct virtio_pci_blk *d, uint64_t offset, unsigned size, uint32_t value);

void virtio_pci_blk_save(const struct virtio_pci_blk *d, struct ckpt_writer *w, const char *section);
/* Refuses a configuration space of another function (pci_config_same_function). */
bool virtio_pci_blk_load(struct virtio_pci_blk *d, struct ckpt_reader *r, const char *section);

#endif
