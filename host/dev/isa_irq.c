/* isa_irq.c - fan an ISA interrupt line out to the 8259 pair and the I/O APIC. */
#include "dev/isa_irq.h"

#include "dev/ioapic.h"
#include "dev/pic8259.h"

unsigned isa_irq_ioapic_pin(unsigned line)
{
    return line == 0 ? 2 : line;
}

void isa_irq_set(void *opaque, unsigned line, bool level)
{
    struct isa_irq *isa = opaque;
    if (isa->pic)
        pic_set_irq(isa->pic, line, level);
    if (isa->ioapic)
        ioapic_set_irq(isa->ioapic, isa_irq_ioapic_pin(line), level);
}
