/* ini.c - the checkpoint index format (see ini.h). */
#include "ckpt/ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

void ini_section(FILE *f, const char *fmt, ...)
{
    va_list ap;
    fputs("\n[", f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputs("]\n", f);
}

void ini_u64(FILE *f, const char *key, uint64_t v)
{
    fprintf(f, "%s=0x%llx\n", key, (unsigned long long)v);
}

void ini_dec(FILE *f, const char *key, uint64_t v)
{
    fprintf(f, "%s=%llu\n", key, (unsigned long long)v);
}

void ini_str(FILE *f, const char *key, const char *v)
{
    /* Values are one line: a newline in a path would corrupt the index. */
    fprintf(f, "%s=", key);
    for (; *v; v++)
        fputc(*v == '\n' ? ' ' : *v, f);
    fputc('\n', f);
}

void ini_hex(FILE *f, const char *key, const void *data, size_t len)
{
    const uint8_t *p = data;
    fprintf(f, "%s=", key);
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%02x", p[i]);
    fputc('\n', f);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

const char *ini_read_file(const char *path, size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return strerror(errno);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return "not a regular file";
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return "too large to be a checkpoint index";
    }
    char *b = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    while (b && n < (size_t)st.st_size) {
        ssize_t r = read(fd, b + n, (size_t)st.st_size - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (!b || n != (size_t)st.st_size) {
        free(b);
        return "short read";
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return NULL;
}

bool ini_load(struct ini *ini, const char *path, char *err, size_t errlen)
{
    memset(ini, 0, sizeof(*ini));
    char *text;
    size_t textlen;
    const char *why = ini_read_file(path, INI_MAX_BYTES, &text, &textlen);
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        return false;
    }
    if (memchr(text, 0, textlen)) {
        snprintf(err, errlen, "%s: holds a NUL byte: not a text index", path);
        free(text);
        return false;
    }
    ini->path = strdup(path);
    if (!textlen) {            /* an empty file: no sections (fmemopen wants a size) */
        free(text);
        return true;
    }
    FILE *f = fmemopen(text, textlen, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(text);
        ini_free(ini);
        return false;
    }
    char *section = strdup("");
    char *line = NULL;
    size_t cap = 0, allocated = 0;
    ssize_t len;
    int lineno = 0;
    bool ok = true;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line without end", path, lineno);
            ok = false;
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1]) {
                snprintf(err, errlen, "%s:%d: malformed section header", path, lineno);
                ok = false;
                break;
            }
            *close = 0;
            free(section);
            section = strdup(trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key=value", path, lineno);
            ok = false;
            break;
        }
        *eq = 0;
        if (ini->n == allocated) {
            allocated = allocated ? allocated * 2 : 256;
            ini->e = realloc(ini->e, allocated * sizeof(*ini->e));
        }
        ini->e[ini->n++] = (struct ini_entry){ strdup(section), strdup(trim(s)), strdup(trim(eq + 1)), lineno };
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        ok = false;
    }
    free(line);
    free(section);
    fclose(f);
    free(text);
    if (!ok)
        ini_free(ini);
    return ok;
}

void ini_free(struct ini *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->e[i].section);
        free(ini->e[i].key);
        free(ini->e[i].value);
    }
    free(ini->e);
    free(ini->path);
    memset(ini, 0, sizeof(*ini));
}

const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
    for (size_t i = 0; i < ini->n; i++)
        if (!strcmp(ini->e[i].section, section) && !strcmp(ini->e[i].key, key))
            return ini->e[i].value;
    return NULL;
}

bool ini_has_section(const struct ini *ini, const char *section)
{
    for (size_t i = 0; i < ini->n; i++)
        if (!strcmp(ini->e[i].section, section))
            return true;
    return false;
}

const char *ini_need_str(const struct ini *ini, const char *section, const char *key)
{
    const char *v = ini_get(ini, section, key);
    if (!v)
        fatal(ini->path, "corrupt checkpoint: [%s] has no '%s'", section, key);
    return v;
}

uint64_t ini_need_u64(const struct ini *ini, const char *section, const char *key)
{
    const char *v = ini_need_str(ini, section, key);
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 0);
    if (!*v || *end || errno || *v == '-')
        fatal(ini->path, "corrupt checkpoint: [%s] %s='%s' is not a number", section, key, v);
    return x;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void ini_need_hex(const struct ini *ini, const char *section, const char *key, void *out, size_t len)
{
    const char *v = ini_need_str(ini, section, key);
    if (strlen(v) != 2 * len)
        fatal(ini->path, "corrupt checkpoint: [%s] %s holds %zu bytes, expected %zu", section, key,
              strlen(v) / 2, len);
    uint8_t *p = out;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
        if (hi < 0 || lo < 0)
            fatal(ini->path, "corrupt checkpoint: [%s] %s is not hex", section, key);
        p[i] = (uint8_t)(hi << 4 | lo);
    }
}
