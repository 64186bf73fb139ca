/* piix_ide.c - PIIX IDE controller and ATA drives (see piix_ide.h). */
#include "dev/piix_ide.h"

#include <string.h>

#include "ckpt/section.h"
#include "disk/disk.h"
#include "mem/bus.h"
#include "util/log.h"

/* Status and error register bits. */
#define ST_ERR  0x01
#define ST_DRQ  0x08
#define ST_DSC  0x10
#define ST_DRDY 0x40
#define ST_BSY  0x80
#define ER_ABRT 0x04
#define ER_IDNF 0x10
#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB  0x80
#define DEV_LBA  0x40
#define DEV_SLAVE 0x10

/* Bus-master IDE register bits. */
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEMORY 0x08
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR  0x02
#define BM_ST_INTR   0x04

#define SECTOR 512u
#define BM_BAR 4

static const uint16_t cmd_base[2] = { 0x1f0, 0x170 };
static const uint16_t ctl_base[2] = { 0x3f6, 0x376 };

static struct disk *selected(const struct piix_ide *d, unsigned c)
{
    return d->disk[c * 2 + ((d->s.ch[c].device & DEV_SLAVE) ? 1 : 0)];
}

static void update_irq(struct piix_ide *d, unsigned c)
{
    const struct piix_ide_channel *ch = &d->s.ch[c];
    irq_set(&d->irq[c], ch->intrq && !(ch->control & CTL_NIEN));
}

static void raise_intr(struct piix_ide *d, unsigned c)
{
    d->s.ch[c].intrq = 1;
    d->s.ch[c].bm_status |= BM_ST_INTR;
    update_irq(d, c);
}

static void command_done(struct piix_ide *d, unsigned c)
{
    d->s.ch[c].status = ST_DRDY | ST_DSC;
    raise_intr(d, c);
}

static void command_abort(struct piix_ide *d, unsigned c, uint8_t error)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    ch->error = error;
    ch->status = ST_DRDY | ST_DSC | ST_ERR;
    ch->buf_len = ch->buf_pos = 0;
    ch->dma_pending = 0;
    d->s.errors++;
    raise_intr(d, c);
}

/* The ATA string convention: two characters a word, the first in the high byte, space padded. */
static void ata_string(uint16_t *words, const char *s, unsigned nwords)
{
    size_t n = strlen(s);
    for (unsigned i = 0; i < nwords * 2; i++) {
        uint8_t ch = i < n ? (uint8_t)s[i] : ' ';
        if (i & 1)
            words[i / 2] |= ch;
        else
            words[i / 2] = (uint16_t)(ch << 8);
    }
}

static void identify(struct piix_ide *d, unsigned c, struct disk *disk, unsigned position)
{
    uint16_t id[256];
    memset(id, 0, sizeof id);
    uint64_t sectors = disk->size / SECTOR;
    uint64_t chs = sectors < 16383ull * 16 * 63 ? sectors : 16383ull * 16 * 63;
    id[0] = 0x0040;                                  /* fixed, non-removable ATA device */
    id[1] = (uint16_t)(chs / (16 * 63));             /* legacy geometry: 16 heads, 63 sectors */
    id[3] = 16;
    id[6] = 63;
    ata_string(&id[10], d->serial[position], 10);
    ata_string(&id[23], "1.0", 4);
    ata_string(&id[27], "m5sim IDE disk", 20);
    id[49] = 0x0300;                                 /* LBA and DMA */
    id[51] = 0x0200;                                 /* PIO timing mode 2 */
    id[53] = 0x0006;                                 /* words 64-70 and 88 valid */
    id[54] = id[1];
    id[55] = 16;
    id[56] = 63;
    id[57] = (uint16_t)chs;
    id[58] = (uint16_t)(chs >> 16);
    uint64_t lba28 = sectors < 0x0fffffff ? sectors : 0x0fffffff;
    id[60] = (uint16_t)lba28;
    id[61] = (uint16_t)(lba28 >> 16);
    id[63] = 0x0407;                                 /* multiword DMA 0-2 supported, mode 2 selected */
    id[64] = 0x0003;                                 /* PIO 3 and 4 */
    id[65] = id[66] = id[67] = id[68] = 120;         /* cycle times (ns) */
    id[80] = 0x007e;                                 /* ATA-1 .. ATA-6 */
    id[82] = 0x4000;
    id[83] = 0x7400;                                 /* LBA48, FLUSH CACHE, FLUSH CACHE EXT */
    id[84] = 0x4000;
    id[85] = 0x4000;
    id[86] = 0x3400;
    id[87] = 0x4000;
    id[93] = 0x4000 | 0x0001 | 0x0008;               /* reset results: device 0 passed diagnostics */
    id[100] = (uint16_t)sectors;
    id[101] = (uint16_t)(sectors >> 16);
    id[102] = (uint16_t)(sectors >> 32);
    id[103] = (uint16_t)(sectors >> 48);
    struct piix_ide_channel *ch = &d->s.ch[c];
    for (unsigned i = 0; i < 256; i++) {
        ch->buf[2 * i] = (uint8_t)id[i];
        ch->buf[2 * i + 1] = (uint8_t)(id[i] >> 8);
    }
    ch->buf_pos = 0;
    ch->buf_len = SECTOR;
    ch->pio_write = 0;
    ch->sectors_left = 0;
    ch->status = ST_DRDY | ST_DSC | ST_DRQ;
    raise_intr(d, c);
}

/* Address and count of a read/write command; false (and the command aborted) if out of range. */
static bool decode_lba(struct piix_ide *d, unsigned c, bool lba48, struct disk *disk)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    uint64_t lba;
    uint32_t count;
    if (lba48) {
        lba = (uint64_t)ch->hob_lbah << 40 | (uint64_t)ch->hob_lbam << 32 | (uint64_t)ch->hob_lbal << 24 |
              (uint64_t)ch->lbah << 16 | (uint64_t)ch->lbam << 8 | ch->lbal;
        count = (uint32_t)ch->hob_nsect << 8 | ch->nsect;
        if (!count)
            count = 65536;
    } else {
        if (ch->device & DEV_LBA) {
            lba = (uint64_t)(ch->device & 0x0f) << 24 | (uint64_t)ch->lbah << 16 | (uint64_t)ch->lbam << 8 |
                  ch->lbal;
        } else {   /* CHS in the IDENTIFY geometry */
            uint64_t cyl = (uint64_t)ch->lbah << 8 | ch->lbam;
            if (ch->lbal == 0) {
                command_abort(d, c, ER_IDNF);
                return false;
            }
            lba = (cyl * 16 + (ch->device & 0x0f)) * 63 + ch->lbal - 1;
        }
        count = ch->nsect ? ch->nsect : 256;
    }
    if (lba > disk->size / SECTOR || count > disk->size / SECTOR - lba) {
        command_abort(d, c, ER_IDNF | ER_ABRT);
        return false;
    }
    ch->lba = lba;
    ch->sectors_left = count;
    return true;
}

/* PIO read: the next sector into the buffer, DRQ and an interrupt. */
static void pio_read_next(struct piix_ide *d, unsigned c, struct disk *disk)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    if (disk_read(disk, ch->lba * SECTOR, ch->buf, SECTOR) != 0) {
        command_abort(d, c, ER_ABRT);
        return;
    }
    ch->lba++;
    ch->sectors_left--;
    ch->buf_pos = 0;
    ch->buf_len = SECTOR;
    ch->pio_write = 0;
    d->s.bytes_read += SECTOR;
    ch->status = ST_DRDY | ST_DSC | ST_DRQ;
    raise_intr(d, c);
}

static void pio_write_ready(struct piix_ide_channel *ch)
{
    ch->buf_pos = 0;
    ch->buf_len = SECTOR;
    ch->pio_write = 1;
    ch->status = ST_DRDY | ST_DSC | ST_DRQ;
}

static void execute(struct piix_ide *d, unsigned c, uint8_t cmd)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    struct disk *disk = selected(d, c);
    if (!disk)
        return;   /* nobody in that position answers */
    ch->command = cmd;
    ch->error = 0;
    ch->buf_len = ch->buf_pos = 0;
    ch->dma_pending = 0;
    unsigned position = c * 2 + ((ch->device & DEV_SLAVE) ? 1 : 0);
    switch (cmd) {
    case 0xec:                                       /* IDENTIFY DEVICE */
        identify(d, c, disk, position);
        break;
    case 0x20: case 0x21: case 0x24:                 /* READ SECTORS (EXT) */
        if (decode_lba(d, c, cmd == 0x24, disk)) {
            d->s.reads++;
            pio_read_next(d, c, disk);
        }
        break;
    case 0x30: case 0x31: case 0x34:                 /* WRITE SECTORS (EXT) */
        if (decode_lba(d, c, cmd == 0x34, disk)) {
            d->s.writes++;
            pio_write_ready(ch);
        }
        break;
    case 0xc8: case 0xc9: case 0x25:                 /* READ DMA (EXT) */
    case 0xca: case 0xcb: case 0x35:                 /* WRITE DMA (EXT) */
        if (decode_lba(d, c, cmd == 0x25 || cmd == 0x35, disk)) {
            ch->dma_pending = 1;
            ch->dma_write = cmd == 0xca || cmd == 0xcb || cmd == 0x35;
            ch->status = ST_DRDY | ST_DSC | ST_DRQ;
        }
        break;
    case 0xe7: case 0xea:                            /* FLUSH CACHE (EXT): the overlay has no cache */
        d->s.flushes++;
        command_done(d, c);
        break;
    case 0x40: case 0x41: case 0x42:                 /* READ VERIFY SECTORS (EXT) */
        if (decode_lba(d, c, cmd == 0x42, disk))
            command_done(d, c);
        break;
    case 0xef:                                       /* SET FEATURES (transfer mode, caches) */
    case 0x91:                                       /* INITIALIZE DEVICE PARAMETERS */
    case 0x10:                                       /* RECALIBRATE */
    case 0xe0: case 0xe1: case 0xe3:                 /* STANDBY / IDLE (IMMEDIATE) */
        command_done(d, c);
        break;
    case 0xe5:                                       /* CHECK POWER MODE: active */
        ch->nsect = 0xff;
        command_done(d, c);
        break;
    default:
        command_abort(d, c, ER_ABRT);
        break;
    }
}

/* --------------------------------------------------------------- DMA -- */

static void run_dma(struct piix_ide *d, unsigned c)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    struct disk *disk = selected(d, c);
    ch->dma_pending = 0;
    if (!disk)
        return;
    if (!!(ch->bm_command & BM_CMD_TO_MEMORY) == !!ch->dma_write) {   /* direction disagrees with the command */
        ch->bm_status = (uint8_t)((ch->bm_status | BM_ST_ERROR) & ~BM_ST_ACTIVE);
        command_abort(d, c, ER_ABRT);
        return;
    }
    uint64_t left = (uint64_t)ch->sectors_left * SECTOR, off = ch->lba * SECTOR;
    uint32_t prd = ch->bm_prd;
    static uint8_t buf[65536];
    bool eot = false;
    for (unsigned n = 0; left && !eot && n < 8192; n++, prd += 8) {   /* a PRD table is at most 64 KiB */
        uint32_t entry[2];
        if (bus_read_phys(d->bus, prd, entry, sizeof entry) != 0)
            break;
        uint64_t addr = entry[0] & ~1u;
        uint32_t len = entry[1] & 0xfffe;
        if (!len)
            len = 65536;
        eot = (entry[1] >> 31) & 1;
        if (len > left)
            len = (uint32_t)left;
        int rc;
        if (ch->dma_write)
            rc = bus_read_phys(d->bus, addr, buf, len) != 0 ? -1 : disk_write(disk, off, buf, len);
        else
            rc = disk_read(disk, off, buf, len) != 0 ? -1 : bus_write_phys(d->bus, addr, buf, len);
        if (rc != 0)
            break;
        if (ch->dma_write)
            d->s.bytes_written += len;
        else
            d->s.bytes_read += len;
        off += len;
        left -= len;
    }
    ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    if (left) {
        ch->bm_status |= BM_ST_ERROR;
        command_abort(d, c, ER_ABRT);
        return;
    }
    if (ch->dma_write)
        d->s.writes++;
    else
        d->s.reads++;
    ch->sectors_left = 0;
    command_done(d, c);
}

static uint32_t bm_read(struct pci_function *fn, int bar, uint64_t offset, unsigned size)
{
    struct piix_ide *d = fn->owner;
    (void)bar;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned o = (unsigned)offset + i, c = (o >> 3) & 1, r = o & 7;
        const struct piix_ide_channel *ch = &d->s.ch[c];
        uint8_t b = 0;
        if (r == 0)
            b = ch->bm_command;
        else if (r == 2)
            b = ch->bm_status;
        else if (r >= 4)
            b = (uint8_t)(ch->bm_prd >> (8 * (r - 4)));
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void bm_write(struct pci_function *fn, int bar, uint64_t offset, unsigned size, uint32_t value)
{
    struct piix_ide *d = fn->owner;
    (void)bar;
    for (unsigned i = 0; i < size; i++) {
        unsigned o = (unsigned)offset + i, c = (o >> 3) & 1, r = o & 7;
        struct piix_ide_channel *ch = &d->s.ch[c];
        uint8_t b = (uint8_t)(value >> (8 * i));
        if (r == 0) {
            uint8_t old = ch->bm_command;
            ch->bm_command = b & (BM_CMD_START | BM_CMD_TO_MEMORY);
            if ((b & BM_CMD_START) && !(old & BM_CMD_START)) {
                ch->bm_status |= BM_ST_ACTIVE;
                if (ch->dma_pending)
                    run_dma(d, c);
            } else if (!(b & BM_CMD_START)) {
                ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
            }
        } else if (r == 2) {
            ch->bm_status = (uint8_t)((ch->bm_status & ~(b & (BM_ST_ERROR | BM_ST_INTR)) & ~0x60) | (b & 0x60));
        } else if (r >= 4) {
            unsigned shift = 8 * (r - 4);
            ch->bm_prd = (ch->bm_prd & ~(0xffu << shift)) | (uint32_t)b << shift;
            ch->bm_prd &= ~3u;
        }
    }
}

/* ------------------------------------------------------- task file -- */

static void soft_reset(struct piix_ide *d, unsigned c)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    ch->nsect = ch->lbal = 1;   /* the ATA device signature */
    ch->lbam = ch->lbah = 0;
    ch->device = 0;
    ch->error = 1;
    ch->status = ST_DRDY | ST_DSC;
    ch->buf_len = ch->buf_pos = 0;
    ch->dma_pending = 0;
    ch->intrq = 0;
    update_irq(d, c);
}

static uint32_t data_in(struct piix_ide *d, unsigned c, unsigned size)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    uint32_t v = 0;
    if (ch->pio_write || ch->buf_pos >= ch->buf_len)
        return size == 4 ? 0xffffffffu : 0xffffu;
    for (unsigned i = 0; i < size && ch->buf_pos < ch->buf_len; i++)
        v |= (uint32_t)ch->buf[ch->buf_pos++] << (8 * i);
    if (ch->buf_pos >= ch->buf_len) {
        struct disk *disk = selected(d, c);
        ch->buf_len = ch->buf_pos = 0;
        if (ch->sectors_left && disk)
            pio_read_next(d, c, disk);
        else
            ch->status = ST_DRDY | ST_DSC;
    }
    return v;
}

static void data_out(struct piix_ide *d, unsigned c, unsigned size, uint32_t v)
{
    struct piix_ide_channel *ch = &d->s.ch[c];
    if (!ch->pio_write || ch->buf_pos >= ch->buf_len)
        return;
    for (unsigned i = 0; i < size && ch->buf_pos < ch->buf_len; i++)
        ch->buf[ch->buf_pos++] = (uint8_t)(v >> (8 * i));
    if (ch->buf_pos < ch->buf_len)
        return;
    struct disk *disk = selected(d, c);
    if (!disk || disk_write(disk, ch->lba * SECTOR, ch->buf, SECTOR) != 0) {
        ch->pio_write = 0;
        command_abort(d, c, ER_ABRT);
        return;
    }
    d->s.bytes_written += SECTOR;
    ch->lba++;
    ch->sectors_left--;
    if (ch->sectors_left) {
        pio_write_ready(ch);
    } else {
        ch->pio_write = 0;
        ch->buf_len = ch->buf_pos = 0;
        ch->status = ST_DRDY | ST_DSC;
    }
    raise_intr(d, c);
}

static unsigned channel_of(uint16_t port)
{
    return (port >= 0x1f0 && port < 0x1f8) || port == 0x3f6 ? 0 : 1;
}

static uint32_t ide_io_in(void *opaque, uint16_t port, unsigned size)
{
    struct piix_ide *d = opaque;
    unsigned c = channel_of(port);
    struct piix_ide_channel *ch = &d->s.ch[c];
    if (!d->disk[2 * c] && !d->disk[2 * c + 1])
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;   /* nothing on this channel: a floating bus */
    bool present = selected(d, c) != NULL;
    if (port == ctl_base[c])                                         /* alternate status */
        return present ? ch->status : 0;
    unsigned reg = port - cmd_base[c];
    if (reg == 0)
        return present ? data_in(d, c, size) : 0;
    if (!present)
        return 0;
    bool hob = ch->control & CTL_HOB;
    switch (reg) {
    case 1: return hob ? ch->hob_feature : ch->error;
    case 2: return hob ? ch->hob_nsect : ch->nsect;
    case 3: return hob ? ch->hob_lbal : ch->lbal;
    case 4: return hob ? ch->hob_lbam : ch->lbam;
    case 5: return hob ? ch->hob_lbah : ch->lbah;
    case 6: return ch->device | 0xa0;
    default:                                                         /* status: acknowledges the interrupt */
        ch->intrq = 0;
        update_irq(d, c);
        return ch->status;
    }
}

static void ide_io_out(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    struct piix_ide *d = opaque;
    unsigned c = channel_of(port);
    struct piix_ide_channel *ch = &d->s.ch[c];
    uint8_t b = (uint8_t)value;
    if (port == ctl_base[c]) {
        uint8_t old = ch->control;
        ch->control = b;
        if (b & CTL_SRST) {
            ch->status = ST_BSY;
        } else if (old & CTL_SRST) {
            soft_reset(d, c);
        }
        update_irq(d, c);
        return;
    }
    unsigned reg = port - cmd_base[c];
    ch->control &= (uint8_t)~CTL_HOB;   /* any task-file write clears HOB */
    switch (reg) {
    case 0: data_out(d, c, size, value); break;
    case 1: ch->hob_feature = ch->feature; ch->feature = b; break;
    case 2: ch->hob_nsect = ch->nsect; ch->nsect = b; break;
    case 3: ch->hob_lbal = ch->lbal; ch->lbal = b; break;
    case 4: ch->hob_lbam = ch->lbam; ch->lbam = b; break;
    case 5: ch->hob_lbah = ch->lbah; ch->lbah = b; break;
    case 6: ch->device = b & 0x5f; break;
    default:
        ch->intrq = 0;
        update_irq(d, c);
        execute(d, c, b);
        break;
    }
}

/* ------------------------------------------------------------ setup -- */

static const struct pci_function_ops piix_ops = { .bar_read = bm_read, .bar_write = bm_write };

void piix_ide_init(struct piix_ide *d, struct bus *bus, struct irq_line primary, struct irq_line secondary)
{
    memset(d, 0, sizeof(*d));
    d->bus = bus;
    d->irq[0] = primary;
    d->irq[1] = secondary;
    uint8_t *c = d->s.pci_config;
    pci_config_set16(c, PCI_VENDOR_ID, 0x8086);   /* Intel 82371AB (PIIX4) IDE */
    pci_config_set16(c, PCI_DEVICE_ID, 0x7111);
    pci_config_set16(c, PCI_STATUS, 0x0280);
    c[PCI_REVISION] = 0x01;
    c[PCI_PROG_IF] = 0x80;                        /* bus master; both channels in compatibility mode */
    c[PCI_SUBCLASS] = 0x01;
    c[PCI_CLASS] = 0x01;                          /* mass storage: IDE */
    pci_config_set16(c, 0x40, 0x8000);            /* IDETIM: primary decode enabled */
    pci_config_set16(c, 0x42, 0x8000);            /* secondary decode enabled */
    d->pci.config = c;
    d->pci.bar_size[BM_BAR] = 16;
    d->pci.bar_is_io[BM_BAR] = true;
    d->pci.ops = &piix_ops;
    d->pci.owner = d;
    for (unsigned ch = 0; ch < 2; ch++) {
        d->s.ch[ch].nsect = d->s.ch[ch].lbal = 1;
        d->s.ch[ch].error = 1;
        d->s.ch[ch].status = ST_DRDY | ST_DSC;
    }
}

void piix_ide_set_disk(struct piix_ide *d, unsigned position, struct disk *disk, const char *serial)
{
    if (position >= PIIX_IDE_DRIVES)
        fatal("--disk-image", "the IDE controller takes at most %d disks", PIIX_IDE_DRIVES);
    d->disk[position] = disk;
    snprintf(d->serial[position], sizeof d->serial[position], "%s", serial);
    d->s.ch[position / 2].bm_status |= (uint8_t)(0x20 << (position & 1));   /* drive is DMA capable */
}

void piix_ide_attach(struct piix_ide *d, struct bus *bus, struct pci_host *pci, unsigned slot)
{
    for (unsigned c = 0; c < 2; c++) {
        bus_add_pio(bus, c ? "ide-secondary" : "ide-primary", cmd_base[c], 8, ide_io_in, ide_io_out, d);
        bus_add_pio(bus, c ? "ide-secondary-ctl" : "ide-primary-ctl", ctl_base[c], 1, ide_io_in, ide_io_out, d);
    }
    pci_add_function(pci, &d->pci, slot);
}

/* ------------------------------------------------------- checkpoints -- */

/* The last sector a command can reach: LBA48's 2^48 - 1 plus a 65536-sector count. */
#define PIIX_LBA_END ((1ull << 48) + 65536)
#define BM_CMD_BITS (BM_CMD_START | BM_CMD_TO_MEMORY)
#define BM_ST_BITS  (BM_ST_ACTIVE | BM_ST_ERROR | BM_ST_INTR | 0x60)   /* 0x60: drive 0/1 DMA capable */

#define PS struct piix_ide_state
#define PIIX_CH(name, type, F, lo, hi) CKPT_ARRAY(name, type, PS, ch, F, lo, hi)
#define PIIX_CH_U8(name, F) PIIX_CH(name, CKPT_U8, F, 0, 0xff)
static const struct ckpt_field piix_ide_fields[] = {
    CKPT_BYTESF("pci_config", PS, pci_config),
    PIIX_CH_U8("ch#.feature", feature),
    PIIX_CH_U8("ch#.nsect", nsect),
    PIIX_CH_U8("ch#.lbal", lbal),
    PIIX_CH_U8("ch#.lbam", lbam),
    PIIX_CH_U8("ch#.lbah", lbah),
    PIIX_CH_U8("ch#.hob_feature", hob_feature),
    PIIX_CH_U8("ch#.hob_nsect", hob_nsect),
    PIIX_CH_U8("ch#.hob_lbal", hob_lbal),
    PIIX_CH_U8("ch#.hob_lbam", hob_lbam),
    PIIX_CH_U8("ch#.hob_lbah", hob_lbah),
    PIIX_CH("ch#.device", CKPT_U8, device, 0, 0x5f),
    PIIX_CH_U8("ch#.status", status),
    PIIX_CH_U8("ch#.error", error),
    PIIX_CH_U8("ch#.control", control),
    PIIX_CH_U8("ch#.command", command),
    PIIX_CH("ch#.intrq", CKPT_U8, intrq, 0, 1),
    PIIX_CH_U8("ch#.multiple", multiple),
    PIIX_CH("ch#.dma_pending", CKPT_U8, dma_pending, 0, 1),
    PIIX_CH("ch#.dma_write", CKPT_U8, dma_write, 0, 1),
    PIIX_CH("ch#.pio_write", CKPT_U8, pio_write, 0, 1),
    PIIX_CH("ch#.lba", CKPT_U64, lba, 0, PIIX_LBA_END),
    PIIX_CH("ch#.sectors_left", CKPT_U32, sectors_left, 0, 65536),
    PIIX_CH("ch#.buf_pos", CKPT_U32, buf_pos, 0, SECTOR),
    PIIX_CH("ch#.buf_len", CKPT_U32, buf_len, 0, SECTOR),
    CKPT_BYTESF("ch0.buf", PS, ch[0].buf),
    CKPT_BYTESF("ch1.buf", PS, ch[1].buf),
    PIIX_CH("ch#.bm_command", CKPT_U8, bm_command, 0, BM_CMD_BITS),
    PIIX_CH_U8("ch#.bm_status", bm_status),
    PIIX_CH("ch#.bm_prd", CKPT_U32, bm_prd, 0, UINT32_MAX),
    CKPT_U64F("reads", PS, reads, 0, UINT64_MAX),
    CKPT_U64F("writes", PS, writes, 0, UINT64_MAX),
    CKPT_U64F("flushes", PS, flushes, 0, UINT64_MAX),
    CKPT_U64F("errors", PS, errors, 0, UINT64_MAX),
    CKPT_U64F("bytes_read", PS, bytes_read, 0, UINT64_MAX),
    CKPT_U64F("bytes_written", PS, bytes_written, 0, UINT64_MAX),
};
#undef PIIX_CH_U8
#undef PIIX_CH
#undef PS

static bool piix_ide_validate(const void *state, const struct ckpt_reader *r, char *why, size_t len)
{
    const struct piix_ide_state *s = state;
    (void)r;
    for (unsigned c = 0; c < 2; c++) {
        const struct piix_ide_channel *ch = &s->ch[c];
        if (ch->buf_len != 0 && ch->buf_len != SECTOR) {
            snprintf(why, len, "ch%u.buf_len = %u is neither 0 nor one sector", c, ch->buf_len);
            return false;
        }
        if (ch->buf_pos > ch->buf_len) {
            snprintf(why, len, "ch%u.buf_pos = %u is past buf_len = %u", c, ch->buf_pos, ch->buf_len);
            return false;
        }
        if (ch->lba + ch->sectors_left > PIIX_LBA_END) {
            snprintf(why, len, "ch%u.lba + sectors_left = %llu is past the last LBA48 sector", c,
                     (unsigned long long)(ch->lba + ch->sectors_left));
            return false;
        }
        if (ch->bm_command & ~BM_CMD_BITS || ch->bm_status & ~BM_ST_BITS || ch->bm_prd & 3) {
            snprintf(why, len, "ch%u bus-master bm_command = 0x%x, bm_status = 0x%x, bm_prd = 0x%x hold bits the "
                     "controller never sets", c, ch->bm_command, ch->bm_status, ch->bm_prd);
            return false;
        }
    }
    return true;
}

/* New in format version 3: never a version 1 blob. */
static const struct ckpt_layout piix_ide_layout = CKPT_LAYOUT(piix_ide_fields, piix_ide_validate, 0);

void piix_ide_save(const struct piix_ide *d, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &piix_ide_layout, &d->s);
}

bool piix_ide_load(struct piix_ide *d, struct ckpt_reader *r, const char *section)
{
    struct piix_ide_state s = d->s;
    if (!ckpt_section_load(r, section, &piix_ide_layout, &s) ||
        !pci_config_same_function(s.pci_config, d->s.pci_config, r, section))
        return false;
    d->s = s;
    for (unsigned c = 0; c < 2; c++)
        update_irq(d, c);
    return true;
}
