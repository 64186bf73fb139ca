/* pc_platform.c - the [platform] checkpoint section (see pc_platform.h). */
#include "machine/pc_platform.h"

#include "ckpt/section.h"

_Static_assert(DISK_VIRTIO_MMIO == 0 && DISK_PIIX == 1 && DISK_VIRTIO_PCI == 2,
               "[platform] disk_controller numbers are the format's");

static const struct ckpt_field pc_platform_fields[] = {
    CKPT_U8F("disk_controller", struct pc_platform_state, disk_controller, DISK_VIRTIO_MMIO, DISK_VIRTIO_PCI),
};

static const struct ckpt_layout pc_platform_layout = CKPT_LAYOUT(pc_platform_fields, NULL, 0);

void pc_platform_save(const struct pc_platform_state *s, struct ckpt_writer *w, const char *section)
{
    ckpt_section_save(w, section, &pc_platform_layout, s);
}

bool pc_platform_load(struct pc_platform_state *s, struct ckpt_reader *r, const char *section)
{
    if (r->version < PC_PLATFORM_FORMAT) {
        if (r->failed)
            return false;
        s->disk_controller = DISK_VIRTIO_MMIO;
        return true;
    }
    struct pc_platform_state t = *s;
    if (!ckpt_section_load(r, section, &pc_platform_layout, &t))
        return false;
    *s = t;
    return true;
}
