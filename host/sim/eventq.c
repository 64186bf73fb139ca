/* eventq.c - a binary heap of events keyed by (tick, scheduling order). */
#include "sim/eventq.h"

#include <stdlib.h>

#include "util/log.h"

void eventq_init(struct eventq *q)
{
    *q = (struct eventq){ 0 };
}

void eventq_free(struct eventq *q)
{
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

void event_init(struct event *e, const char *name, void (*fn)(void *), void *arg)
{
    *e = (struct event){ .fn = fn, .arg = arg, .name = name, .heap_index = -1 };
}

static bool before(const struct event *a, const struct event *b)
{
    return a->when != b->when ? a->when < b->when : a->seq < b->seq;
}

static void place(struct eventq *q, int i, struct event *e)
{
    q->heap[i] = e;
    e->heap_index = i;
}

static void sift_up(struct eventq *q, int i)
{
    struct event *e = q->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!before(e, q->heap[parent]))
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, e);
}

static void sift_down(struct eventq *q, int i)
{
    struct event *e = q->heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && before(q->heap[c + 1], q->heap[c]))
            c++;
        if (!before(q->heap[c], e))
            break;
        place(q, i, q->heap[c]);
        i = c;
    }
    place(q, i, e);
}

void eventq_deschedule(struct eventq *q, struct event *e)
{
    int i = e->heap_index;
    if (i < 0)
        return;
    e->heap_index = -1;
    q->n--;
    if (i == q->n)
        return;
    struct event *moved = q->heap[q->n];
    place(q, i, moved);
    sift_down(q, i);
    sift_up(q, moved->heap_index);
}

void eventq_schedule(struct eventq *q, struct event *e, uint64_t when)
{
    eventq_deschedule(q, e);
    if (when < q->now)
        when = q->now;
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->heap = realloc(q->heap, (size_t)q->cap * sizeof(*q->heap));
        if (!q->heap)
            fatal("eventq", "out of memory");
    }
    e->when = when;
    e->seq = q->seq++;
    place(q, q->n++, e);
    sift_up(q, q->n - 1);
    if (when < q->horizon && q->preempt)
        q->preempt(q->current_opaque);
}

uint64_t eventq_next(const struct eventq *q)
{
    return q->n ? q->heap[0]->when : TICK_NEVER;
}

void eventq_run_until(struct eventq *q, uint64_t until)
{
    while (q->n && q->heap[0]->when <= until) {
        struct event *e = q->heap[0];
        if (e->when > q->now)
            q->now = e->when;
        eventq_deschedule(q, e);
        e->fn(e->arg);
    }
    if (until > q->now)
        q->now = until;
}
