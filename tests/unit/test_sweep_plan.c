/* test_sweep_plan.c - the sweep file: cross product order, run names, paths, argv, completeness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep/sweep_plan.h"

static char dir[] = "/tmp/test_sweep_plan.XXXXXX";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_cross_product(void **state)
{
    (void)state;
    char file[256];
    snprintf(file, sizeof file, "%s/study.ini", dir);
    write_file(file, "# a study\n[sweep]\nrestore = 2\nflags = -F 100\n"
                     "[checkpoints]\nc1 = ck/one\nc2 = /abs/two\n"
                     "[scripts]\nhello world = s/hello.sh\n"
                     "[configurations]\natomic = --cpu-type atomic\ntiming/l2 = --cpu-type timing  --caches\n");
    struct sweep_plan p;
    sweep_plan_load(&p, file);
    assert_int_equal(p.nruns, 4);
    char out[300];
    snprintf(out, sizeof out, "%s/study.out", dir);
    assert_string_equal(p.outdir, out);
    /* checkpoint outermost, configuration innermost; unsafe characters become '_' */
    assert_string_equal(p.runs[0].name, "c1-hello_world-atomic");
    assert_string_equal(p.runs[1].name, "c1-hello_world-timing_l2");
    assert_string_equal(p.runs[2].name, "c2-hello_world-atomic");
    assert_int_equal(p.runs[3].index, 3);
    char ck[300];
    snprintf(ck, sizeof ck, "%s/ck/one", dir);   /* relative to the file's directory */
    assert_string_equal(p.runs[0].ckpt->value, ck);
    assert_string_equal(p.runs[2].ckpt->value, "/abs/two");

    int argc;
    char **argv = sweep_run_argv(&p, &p.runs[1], &argc);
    const char *want[] = { "m5sim", "--checkpoint-dir", ck, "-r", "2", "-d", p.runs[1].dir, "-q", "--script",
                           p.runs[1].script->value, "-F", "100", "--cpu-type", "timing", "--caches" };
    assert_int_equal(argc, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < argc; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[argc]);

    /* complete: run.ini with exit_status=0 and stats.txt */
    const struct sweep_run *r = &p.runs[0];
    assert_false(sweep_run_complete(r));
    sweep_run_write_record(&p, r);
    char path[4300];
    snprintf(path, sizeof path, "%s/stats.txt", r->dir);
    write_file(path, "\n---------- Begin Simulation Statistics ----------\n");
    snprintf(path, sizeof path, "%s/run.ini", r->dir);
    write_file(path, "[run]\nexit_status=3\n");
    assert_false(sweep_run_complete(r));
    write_file(path, "[run]\nexit_status=0\n");
    assert_true(sweep_run_complete(r));
    sweep_plan_free(&p);
}

static void test_no_configurations(void **state)
{
    (void)state;
    char file[256];
    snprintf(file, sizeof file, "%s/plain", dir);
    write_file(file, "[sweep]\noutdir = results\n[checkpoints]\nc = ck\n[scripts]\na = a.sh\nb = b.sh\n");
    struct sweep_plan p;
    sweep_plan_load(&p, file);
    assert_int_equal(p.nruns, 2);
    assert_string_equal(p.runs[1].name, "c-b-default");
    char out[300];
    snprintf(out, sizeof out, "%s/results", dir);
    assert_string_equal(p.outdir, out);
    int argc;
    char **argv = sweep_run_argv(&p, &p.runs[0], &argc);
    assert_int_equal(argc, 10);   /* no flags at all */
    assert_null(argv[10]);
    sweep_plan_free(&p);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_product),
        cmocka_unit_test(test_no_configurations),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return failed;
}
