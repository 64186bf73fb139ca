/*
 * syscall_fs.c - file system calls, serviced on the host.
 *
 * Guest descriptors map to host descriptors through a table: each open guest
 * descriptor owns one host descriptor (dup() on the host for dup() in the
 * guest), so the guest closing or redirecting its standard streams never
 * touches the simulator's own stdin/stdout/stderr, and guest descriptor
 * numbers are allocated exactly as Linux would (lowest free) whatever the
 * simulator itself has open. Paths are host paths; /proc/self/exe names the
 * guest program. Structures (stat, statx, dirent64, termios, pollfd) have the
 * same x86-64 layout on both sides and are copied through unchanged.
 */
#include "se/process.h"
#include "se/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_IOV 1024           /* UIO_MAXIOV */
#define MAX_RW 0x7ffff000ull   /* MAX_RW_COUNT: the most one read or write transfers */

static int64_t host_result(long r)
{
    return r < 0 ? -(int64_t)errno : (int64_t)r;
}

/* ------------------------------------------------------- descriptors ---- */

void se_fd_init(struct se *se)
{
    for (unsigned g = 0; g < SE_MAX_FDS; g++)
        se->fd[g] = (struct se_fd){ -1, false };
    for (int g = 0; g < 3; g++)
        se->fd[g].host = fcntl(g, F_DUPFD_CLOEXEC, 3);  /* -1 if the host's is closed too */
}

void se_fd_redirect(struct se *se, int gfd, int host)
{
    if (se->fd[gfd].host >= 0)
        close(se->fd[gfd].host);
    se->fd[gfd] = (struct se_fd){ host, false };
}

int se_fd_host(const struct se *se, uint64_t gfd)
{
    int32_t g = (int32_t)gfd;
    if (g < 0 || g >= SE_MAX_FDS || se->fd[g].host < 0)
        return -EBADF;
    return se->fd[g].host;
}

static unsigned fd_limit(const struct se *se)
{
    uint64_t l = se->rlim[RLIMIT_NOFILE][0];
    return l < SE_MAX_FDS ? (unsigned)l : SE_MAX_FDS;
}

/* Give `host` the lowest free guest descriptor >= min; closes it and fails with -EMFILE if none. */
static int64_t fd_install(struct se *se, int host, unsigned min, bool cloexec)
{
    for (unsigned g = min; g < fd_limit(se); g++) {
        if (se->fd[g].host < 0) {
            se->fd[g] = (struct se_fd){ host, cloexec };
            return g;
        }
    }
    close(host);
    return -EMFILE;
}

static void fd_close(struct se *se, unsigned g)
{
    close(se->fd[g].host);
    se->fd[g] = (struct se_fd){ -1, false };
}

/* Host directory descriptor for an *at() call: AT_FDCWD passes through. */
static int dirfd_host(const struct se *se, uint64_t gfd)
{
    if ((int32_t)gfd == AT_FDCWD)
        return AT_FDCWD;
    return se_fd_host(se, gfd);
}

/* A path argument; /proc/self/exe becomes the program. 0 or -errno. */
static int get_path(struct se *se, uint64_t va, char *buf)
{
    long n = se_strncpy_from_guest(se, va, buf, PATH_MAX);
    if (n < 0)
        return (int)n;
    if (strcmp(buf, "/proc/self/exe") == 0 && strlen(se->exe_path) < PATH_MAX)
        strcpy(buf, se->exe_path);
    return 0;
}

#define PATH_ARG(var, va)                   \
    char var[PATH_MAX];                     \
    do {                                    \
        int rc_ = get_path(se, (va), var);  \
        if (rc_ < 0)                        \
            return rc_;                     \
    } while (0)

#define FD_ARG(var, g)                      \
    int var = se_fd_host(se, (g));          \
    if (var < 0)                            \
        return var

#define DIRFD_ARG(var, g)                   \
    int var = dirfd_host(se, (g));          \
    if (var == -EBADF)                      \
        return var

/* ------------------------------------------------------- read, write ---- */

static int64_t after_write(struct se *se, int64_t r)
{
    if (r == -EPIPE)
        se_raise_signal(se, SIGPIPE);
    return r;
}

static bool is_regular(int host)
{
    struct stat st;
    return fstat(host, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * read/write (or pread/pwrite when off >= 0) between a host descriptor and
 * guest memory, as host readv/writev over the guest's pages. A buffer
 * scattered over more pages than one call takes continues with further
 * calls on regular files, where Linux transfers everything in one call;
 * on pipes and terminals one call is one transfer, as natively.
 */
static int64_t transfer(struct se *se, int host, uint64_t va, uint64_t len, bool to_guest, int64_t off)
{
    if (len > MAX_RW)
        len = MAX_RW;
    if (len == 0)
        return host_result(off < 0 ? (to_guest ? read(host, NULL, 0) : write(host, NULL, 0))
                                   : (to_guest ? pread(host, NULL, 0, off) : pwrite(host, NULL, 0, off)));
    int64_t total = 0;
    for (;;) {
        struct iovec iov[64];
        int n = se_guest_iov(se, va, len, to_guest, iov, 64);
        if (n < 0)
            return total ? total : n;
        uint64_t covered = 0;
        for (int i = 0; i < n; i++)
            covered += iov[i].iov_len;
        long r;
        if (off < 0)
            r = to_guest ? readv(host, iov, n) : writev(host, iov, n);
        else
            r = to_guest ? preadv(host, iov, n, off) : pwritev(host, iov, n, off);
        if (r < 0)
            return total ? total : -(int64_t)errno;
        total += r;
        if ((uint64_t)r < covered || covered == len || !is_regular(host))
            return total;
        va += (uint64_t)r, len -= (uint64_t)r;
        if (off >= 0)
            off += r;
    }
}

int64_t se_sys_read(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return transfer(se, host, a[1], a[2], true, -1);
}

int64_t se_sys_write(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return after_write(se, transfer(se, host, a[1], a[2], false, -1));
}

int64_t se_sys_pread64(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    if ((int64_t)a[3] < 0)
        return -EINVAL;
    return transfer(se, host, a[1], a[2], true, (int64_t)a[3]);
}

int64_t se_sys_pwrite64(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    if ((int64_t)a[3] < 0)
        return -EINVAL;
    return after_write(se, transfer(se, host, a[1], a[2], false, (int64_t)a[3]));
}

/* A guest iovec array as host iovecs over guest memory. */
static int64_t vector(struct se *se, int host, uint64_t iov_va, uint64_t cnt, bool to_guest, int64_t off)
{
    if (cnt > MAX_IOV)
        return -EINVAL;
    if (cnt == 0)
        return 0;
    uint64_t (*giov)[2] = malloc(cnt * sizeof(*giov));
    struct iovec *hiov = malloc(MAX_IOV * sizeof(*hiov));
    int64_t r = -ENOMEM;
    if (!giov || !hiov)
        goto out;
    r = -EFAULT;
    if (se_copy_from_guest(se, iov_va, giov, cnt * sizeof(*giov)) < 0)
        goto out;
    int n = 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt && n < MAX_IOV && total < MAX_RW; i++) {
        uint64_t len = giov[i][1];
        r = -EINVAL;
        if ((int64_t)len < 0)
            goto out;
        if (len > MAX_RW - total)
            len = MAX_RW - total;
        if (!len)
            continue;
        int k = se_guest_iov(se, giov[i][0], len, to_guest, hiov + n, MAX_IOV - n);
        r = k;
        if (k < 0)
            goto out;
        n += k;
        total += len;
    }
    long h;
    if (off < 0)
        h = to_guest ? readv(host, hiov, n) : writev(host, hiov, n);
    else
        h = to_guest ? preadv(host, hiov, n, off) : pwritev(host, hiov, n, off);
    r = host_result(h);
out:
    free(giov);
    free(hiov);
    return r;
}

int64_t se_sys_readv(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return vector(se, host, a[1], a[2], true, -1);
}

int64_t se_sys_writev(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return after_write(se, vector(se, host, a[1], a[2], false, -1));
}

int64_t se_sys_preadv(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return (int64_t)a[3] < 0 ? -EINVAL : vector(se, host, a[1], a[2], true, (int64_t)a[3]);
}

int64_t se_sys_pwritev(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return (int64_t)a[3] < 0 ? -EINVAL
                             : after_write(se, vector(se, host, a[1], a[2], false, (int64_t)a[3]));
}

int64_t se_sys_sendfile(struct se *se, const uint64_t *a)
{
    FD_ARG(out, a[0]);
    FD_ARG(in, a[1]);
    off_t off;
    if (a[2] && se_copy_from_guest(se, a[2], &off, 8) < 0)
        return -EFAULT;
    int64_t r = host_result(sendfile(out, in, a[2] ? &off : NULL, a[3] > MAX_RW ? MAX_RW : a[3]));
    if (r >= 0 && a[2] && se_copy_to_guest(se, a[2], &off, 8) < 0)
        return -EFAULT;
    return after_write(se, r);
}

int64_t se_sys_copy_file_range(struct se *se, const uint64_t *a)
{
    FD_ARG(in, a[0]);
    FD_ARG(out, a[2]);
    loff_t offin, offout;
    if ((a[1] && se_copy_from_guest(se, a[1], &offin, 8) < 0) ||
        (a[3] && se_copy_from_guest(se, a[3], &offout, 8) < 0))
        return -EFAULT;
    int64_t r = host_result(copy_file_range(in, a[1] ? &offin : NULL, out, a[3] ? &offout : NULL,
                                            a[4], (unsigned)a[5]));
    if (r >= 0 && ((a[1] && se_copy_to_guest(se, a[1], &offin, 8) < 0) ||
                   (a[3] && se_copy_to_guest(se, a[3], &offout, 8) < 0)))
        return -EFAULT;
    return r;
}

/* --------------------------------------------------- open, close, seek ---- */

int64_t se_sys_openat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    int flags = (int)a[2];
    int host = openat(dir, path, flags | O_CLOEXEC, (mode_t)a[3]);
    if (host < 0)
        return -errno;
    return fd_install(se, host, 0, flags & O_CLOEXEC);
}

int64_t se_sys_open(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1], a[2] };
    return se_sys_openat(se, b);
}

int64_t se_sys_creat(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { (uint64_t)(int64_t)AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1] };
    return se_sys_openat(se, b);
}

int64_t se_sys_close(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    (void)host;
    fd_close(se, (unsigned)a[0]);
    return 0;
}

int64_t se_sys_close_range(struct se *se, const uint64_t *a)
{
    uint32_t first = (uint32_t)a[0], last = (uint32_t)a[1];
    if (first > last || (a[2] & ~(uint64_t)6))
        return -EINVAL;
    for (uint64_t g = first; g <= last && g < SE_MAX_FDS; g++) {
        if (se->fd[g].host < 0)
            continue;
        if (a[2] & 4 /* CLOSE_RANGE_CLOEXEC */)
            se->fd[g].cloexec = true;
        else
            fd_close(se, (unsigned)g);
    }
    return 0;
}

int64_t se_sys_lseek(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(lseek(host, (off_t)a[1], (int)a[2]));
}

int64_t se_sys_dup(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    int h = fcntl(host, F_DUPFD_CLOEXEC, 0);
    if (h < 0)
        return -errno;
    return fd_install(se, h, 0, false);
}

static int64_t dup_to(struct se *se, uint64_t old, uint64_t new, bool cloexec)
{
    FD_ARG(host, old);
    if ((uint32_t)new >= fd_limit(se))
        return -EBADF;
    int h = fcntl(host, F_DUPFD_CLOEXEC, 0);
    if (h < 0)
        return -errno;
    unsigned g = (uint32_t)new;
    if (se->fd[g].host >= 0)
        fd_close(se, g);
    se->fd[g] = (struct se_fd){ h, cloexec };
    return g;
}

int64_t se_sys_dup2(struct se *se, const uint64_t *a)
{
    if ((uint32_t)a[0] == (uint32_t)a[1]) {
        FD_ARG(host, a[0]);
        (void)host;
        return (uint32_t)a[1];
    }
    return dup_to(se, a[0], a[1], false);
}

int64_t se_sys_dup3(struct se *se, const uint64_t *a)
{
    if ((uint32_t)a[0] == (uint32_t)a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
        return -EINVAL;
    return dup_to(se, a[0], a[1], a[2] & O_CLOEXEC);
}

int64_t se_sys_pipe2(struct se *se, const uint64_t *a)
{
    int p[2];
    if (a[1] & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return -EINVAL;
    if (pipe2(p, (int)a[1] | O_CLOEXEC) < 0)
        return -errno;
    int64_t r0 = fd_install(se, p[0], 0, a[1] & O_CLOEXEC);
    if (r0 < 0) {
        close(p[1]);
        return r0;
    }
    int64_t r1 = fd_install(se, p[1], 0, a[1] & O_CLOEXEC);
    if (r1 < 0) {
        fd_close(se, (unsigned)r0);
        return r1;
    }
    int32_t g[2] = { (int32_t)r0, (int32_t)r1 };
    if (se_copy_to_guest(se, a[0], g, sizeof(g)) < 0) {
        fd_close(se, (unsigned)r0);
        fd_close(se, (unsigned)r1);
        return -EFAULT;
    }
    return 0;
}

int64_t se_sys_pipe(struct se *se, const uint64_t *a)
{
    const uint64_t b[2] = { a[0], 0 };
    return se_sys_pipe2(se, b);
}

int64_t se_sys_fcntl(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    unsigned g = (uint32_t)a[0];
    int cmd = (int)a[1];
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if ((uint32_t)a[2] >= fd_limit(se))
            return -EINVAL;
        int h = fcntl(host, F_DUPFD_CLOEXEC, 0);
        if (h < 0)
            return -errno;
        return fd_install(se, h, (uint32_t)a[2], cmd == F_DUPFD_CLOEXEC);
    }
    case F_GETFD:
        return se->fd[g].cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        se->fd[g].cloexec = a[2] & FD_CLOEXEC;
        return 0;
    case F_GETFL:
    case F_SETFL:
    case F_SETPIPE_SZ:
    case F_GETPIPE_SZ:
    case F_ADD_SEALS:
    case F_GET_SEALS:
        return host_result(fcntl(host, cmd, (int)a[2]));
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
        struct flock fl;
        if (se_copy_from_guest(se, a[2], &fl, sizeof(fl)) < 0)
            return -EFAULT;
        if (fcntl(host, cmd, &fl) < 0)
            return -errno;
        if ((cmd == F_GETLK || cmd == F_OFD_GETLK) && se_copy_to_guest(se, a[2], &fl, sizeof(fl)) < 0)
            return -EFAULT;
        return 0;
    }
    case F_GETOWN:
    case F_SETOWN:
        return 0;
    default:
        return -EINVAL;
    }
}

int64_t se_sys_flock(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(flock(host, (int)a[1]));
}

/* Terminal ioctls reach the host descriptor; anything else is "not a terminal". */
int64_t se_sys_ioctl(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    unsigned g = (uint32_t)a[0];
    uint8_t buf[64];
    size_t in = 0, out = 0;
    switch ((uint32_t)a[1]) {
    case TCGETS: out = 36; break;               /* the kernel's struct termios */
    case TCSETS: case TCSETSW: case TCSETSF: in = 36; break;
    case TIOCGWINSZ: out = 8; break;
    case TIOCSWINSZ: in = 8; break;
    case FIONREAD: out = 4; break;
    case FIONBIO: in = 4; break;
    case TIOCGPGRP:
        if (!isatty(host))
            return -ENOTTY;
        {
            int32_t pgrp = SE_PID;
            return se_copy_to_guest(se, a[2], &pgrp, 4);
        }
    case TIOCSPGRP:
        return isatty(host) ? 0 : -ENOTTY;
    case FIOCLEX:
        se->fd[g].cloexec = true;
        return 0;
    case FIONCLEX:
        se->fd[g].cloexec = false;
        return 0;
    default:
        return -ENOTTY;
    }
    memset(buf, 0, sizeof(buf));
    if (in && se_copy_from_guest(se, a[2], buf, in) < 0)
        return -EFAULT;
    if (ioctl(host, (unsigned long)(uint32_t)a[1], buf) < 0)
        return -errno;
    if (out && se_copy_to_guest(se, a[2], buf, out) < 0)
        return -EFAULT;
    return 0;
}

/* ---------------------------------------------------------------- stat ---- */

/* Run a host stat-like call into a buffer of `size` bytes and copy it to guest va. */
static int64_t stat_out(struct se *se, long r, const void *buf, size_t size, uint64_t va)
{
    if (r < 0)
        return -errno;
    return se_copy_to_guest(se, va, buf, size);
}

int64_t se_sys_fstat(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    struct stat st;
    return stat_out(se, syscall(SYS_fstat, host, &st), &st, sizeof(st), a[1]);
}

int64_t se_sys_stat(struct se *se, const uint64_t *a)
{
    PATH_ARG(path, a[0]);
    struct stat st;
    return stat_out(se, syscall(SYS_stat, path, &st), &st, sizeof(st), a[1]);
}

int64_t se_sys_lstat(struct se *se, const uint64_t *a)
{
    PATH_ARG(path, a[0]);
    struct stat st;
    return stat_out(se, syscall(SYS_lstat, path, &st), &st, sizeof(st), a[1]);
}

int64_t se_sys_newfstatat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    struct stat st;
    return stat_out(se, syscall(SYS_newfstatat, dir, path, &st, (int)a[3]), &st, sizeof(st), a[2]);
}

int64_t se_sys_statx(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    uint8_t stx[256];
    return stat_out(se, syscall(SYS_statx, dir, path, (int)a[2], (unsigned)a[3], stx), stx,
                    sizeof(stx), a[4]);
}

int64_t se_sys_statfs(struct se *se, const uint64_t *a)
{
    PATH_ARG(path, a[0]);
    uint8_t buf[120];
    return stat_out(se, syscall(SYS_statfs, path, buf), buf, sizeof(buf), a[1]);
}

int64_t se_sys_fstatfs(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    uint8_t buf[120];
    return stat_out(se, syscall(SYS_fstatfs, host, buf), buf, sizeof(buf), a[1]);
}

int64_t se_sys_faccessat2(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    return host_result(faccessat(dir, path, (int)a[2], (int)a[3]));
}

int64_t se_sys_faccessat(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { a[0], a[1], a[2], 0 };
    return se_sys_faccessat2(se, b);
}

int64_t se_sys_access(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1], 0 };
    return se_sys_faccessat2(se, b);
}

/* ---------------------------------------------------------- directories ---- */

int64_t se_sys_getdents64(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    size_t n = a[2] < 65536 ? (size_t)a[2] : 65536;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return -ENOMEM;
    long r = syscall(SYS_getdents64, host, buf, n);
    int64_t res = host_result(r);
    if (r > 0 && se_copy_to_guest(se, a[1], buf, (size_t)r) < 0)
        res = -EFAULT;
    free(buf);
    return res;
}

int64_t se_sys_getcwd(struct se *se, const uint64_t *a)
{
    char buf[PATH_MAX];
    long r = syscall(SYS_getcwd, buf, a[1] < sizeof(buf) ? (size_t)a[1] : sizeof(buf));
    if (r < 0)
        return -errno;
    return se_copy_to_guest(se, a[0], buf, (size_t)r) < 0 ? -EFAULT : r;
}

int64_t se_sys_chdir(struct se *se, const uint64_t *a)
{
    PATH_ARG(path, a[0]);
    return host_result(chdir(path));
}

int64_t se_sys_fchdir(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(fchdir(host));
}

int64_t se_sys_mkdirat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    return host_result(mkdirat(dir, path, (mode_t)a[2]));
}

int64_t se_sys_mkdir(struct se *se, const uint64_t *a)
{
    const uint64_t b[3] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1] };
    return se_sys_mkdirat(se, b);
}

int64_t se_sys_unlinkat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    return host_result(unlinkat(dir, path, (int)a[2]));
}

int64_t se_sys_unlink(struct se *se, const uint64_t *a)
{
    const uint64_t b[3] = { (uint64_t)(int64_t)AT_FDCWD, a[0], 0 };
    return se_sys_unlinkat(se, b);
}

int64_t se_sys_rmdir(struct se *se, const uint64_t *a)
{
    const uint64_t b[3] = { (uint64_t)(int64_t)AT_FDCWD, a[0], AT_REMOVEDIR };
    return se_sys_unlinkat(se, b);
}

int64_t se_sys_renameat2(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(odir, a[0]);
    PATH_ARG(old, a[1]);
    DIRFD_ARG(ndir, a[2]);
    PATH_ARG(new, a[3]);
    return host_result(syscall(SYS_renameat2, odir, old, ndir, new, (unsigned)a[4]));
}

int64_t se_sys_renameat(struct se *se, const uint64_t *a)
{
    const uint64_t b[5] = { a[0], a[1], a[2], a[3], 0 };
    return se_sys_renameat2(se, b);
}

int64_t se_sys_rename(struct se *se, const uint64_t *a)
{
    const uint64_t b[5] = { (uint64_t)(int64_t)AT_FDCWD, a[0], (uint64_t)(int64_t)AT_FDCWD, a[1], 0 };
    return se_sys_renameat2(se, b);
}

int64_t se_sys_readlinkat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    char path[PATH_MAX], target[PATH_MAX];
    long n = se_strncpy_from_guest(se, a[1], path, sizeof(path));
    if (n < 0)
        return n;
    if ((int64_t)a[3] <= 0)
        return -EINVAL;
    ssize_t r;
    if (strcmp(path, "/proc/self/exe") == 0) {
        r = (ssize_t)strlen(se->exe_path);
        memcpy(target, se->exe_path, (size_t)r);
    } else {
        r = readlinkat(dir, path, target, sizeof(target));
        if (r < 0)
            return -errno;
    }
    if ((uint64_t)r > a[3])
        r = (ssize_t)a[3];
    return se_copy_to_guest(se, a[2], target, (size_t)r) < 0 ? -EFAULT : r;
}

int64_t se_sys_readlink(struct se *se, const uint64_t *a)
{
    const uint64_t b[4] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1], a[2] };
    return se_sys_readlinkat(se, b);
}

int64_t se_sys_symlinkat(struct se *se, const uint64_t *a)
{
    char target[PATH_MAX];
    long n = se_strncpy_from_guest(se, a[0], target, sizeof(target));
    if (n < 0)
        return n;
    DIRFD_ARG(dir, a[1]);
    PATH_ARG(path, a[2]);
    return host_result(symlinkat(target, dir, path));
}

int64_t se_sys_symlink(struct se *se, const uint64_t *a)
{
    const uint64_t b[3] = { a[0], (uint64_t)(int64_t)AT_FDCWD, a[1] };
    return se_sys_symlinkat(se, b);
}

int64_t se_sys_linkat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(odir, a[0]);
    PATH_ARG(old, a[1]);
    DIRFD_ARG(ndir, a[2]);
    PATH_ARG(new, a[3]);
    return host_result(linkat(odir, old, ndir, new, (int)a[4]));
}

int64_t se_sys_link(struct se *se, const uint64_t *a)
{
    const uint64_t b[5] = { (uint64_t)(int64_t)AT_FDCWD, a[0], (uint64_t)(int64_t)AT_FDCWD, a[1], 0 };
    return se_sys_linkat(se, b);
}

/* ------------------------------------------------- attributes, sizes ---- */

int64_t se_sys_fchmodat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    return host_result(syscall(SYS_fchmodat, dir, path, (mode_t)a[2]));
}

int64_t se_sys_chmod(struct se *se, const uint64_t *a)
{
    const uint64_t b[3] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1] };
    return se_sys_fchmodat(se, b);
}

int64_t se_sys_fchmod(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(fchmod(host, (mode_t)a[1]));
}

int64_t se_sys_fchownat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    PATH_ARG(path, a[1]);
    return host_result(fchownat(dir, path, (uid_t)a[2], (gid_t)a[3], (int)a[4]));
}

int64_t se_sys_chown(struct se *se, const uint64_t *a)
{
    const uint64_t b[5] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1], a[2], 0 };
    return se_sys_fchownat(se, b);
}

int64_t se_sys_lchown(struct se *se, const uint64_t *a)
{
    const uint64_t b[5] = { (uint64_t)(int64_t)AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW };
    return se_sys_fchownat(se, b);
}

int64_t se_sys_fchown(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(fchown(host, (uid_t)a[1], (gid_t)a[2]));
}

int64_t se_sys_umask(struct se *se, const uint64_t *a)
{
    (void)se;
    return umask((mode_t)(a[0] & 0777));
}

int64_t se_sys_truncate(struct se *se, const uint64_t *a)
{
    PATH_ARG(path, a[0]);
    return host_result(truncate(path, (off_t)a[1]));
}

int64_t se_sys_ftruncate(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(ftruncate(host, (off_t)a[1]));
}

int64_t se_sys_fsync(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(fsync(host));
}

int64_t se_sys_fdatasync(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return host_result(fdatasync(host));
}

int64_t se_sys_sync(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return 0;
}

int64_t se_sys_fadvise64(struct se *se, const uint64_t *a)
{
    FD_ARG(host, a[0]);
    return -posix_fadvise(host, (off_t)a[1], (off_t)a[2], (int)a[3]);
}

int64_t se_sys_utimensat(struct se *se, const uint64_t *a)
{
    DIRFD_ARG(dir, a[0]);
    struct timespec ts[2];
    char path[PATH_MAX];
    if (a[1]) {
        int rc = get_path(se, a[1], path);
        if (rc < 0)
            return rc;
    }
    if (a[2] && se_copy_from_guest(se, a[2], ts, sizeof(ts)) < 0)
        return -EFAULT;
    return host_result(syscall(SYS_utimensat, dir, a[1] ? path : NULL, a[2] ? ts : NULL, (int)a[3]));
}

/* ------------------------------------------------------ poll, select ---- */

/* poll over guest descriptors; timeout_ms < 0 waits. Returns ready count or -errno. */
static int64_t do_poll(struct se *se, uint64_t fds_va, uint64_t nfds, int timeout_ms)
{
    if (nfds > fd_limit(se))
        return -EINVAL;
    struct pollfd *p = malloc((nfds ? nfds : 1) * sizeof(*p));
    uint8_t *bad = calloc(nfds ? nfds : 1, 1);
    int64_t r = -ENOMEM;
    if (!p || !bad)
        goto out;
    r = -EFAULT;
    if (se_copy_from_guest(se, fds_va, p, nfds * sizeof(*p)) < 0)
        goto out;
    int nbad = 0;
    for (uint64_t i = 0; i < nfds; i++) {
        int g = p[i].fd;
        p[i].revents = 0;
        if (g < 0)
            continue;
        int h = se_fd_host(se, (uint64_t)g);
        if (h < 0) {
            bad[i] = 1;
            nbad++;
            p[i].fd = -1;
        } else {
            p[i].fd = h;
        }
    }
    long n;
    bool any = false;
    for (uint64_t i = 0; i < nfds; i++)
        any |= p[i].fd >= 0;
    if (!any && !nbad) {
        /* Nothing to wait for: a pure sleep, in simulated time only. */
        if (timeout_ms < 0) {
            se_kill(se, SIGKILL, "poll() with nothing to wait for and no timeout would wait forever");
            r = -EINTR;
            goto out;
        }
        n = 0;
    } else {
        n = poll(p, nfds, nbad ? 0 : timeout_ms);
    }
    if (n < 0) {
        r = -errno;
        goto out;
    }
    if (n == 0 && !nbad && timeout_ms > 0)
        se->sleep_ns += (uint64_t)timeout_ms * 1000000ull;  /* the wait took simulated time */
    for (uint64_t i = 0; i < nfds; i++) {
        /* Give the guest its own descriptor numbers back. */
        struct pollfd g;
        se_copy_from_guest(se, fds_va + i * sizeof(g), &g, sizeof(g));
        g.revents = bad[i] ? POLLNVAL : p[i].revents;
        se_copy_to_guest(se, fds_va + i * sizeof(g), &g, sizeof(g));
    }
    r = n + nbad;
out:
    free(p);
    free(bad);
    return r;
}

static int timespec_ms(struct se *se, uint64_t va, int *ms)
{
    int64_t ts[2];
    *ms = -1;
    if (!va)
        return 0;
    if (se_copy_from_guest(se, va, ts, sizeof(ts)) < 0)
        return -EFAULT;
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
        return -EINVAL;
    *ms = ts[0] > 2000000 ? 2000000000 : (int)(ts[0] * 1000 + (ts[1] + 999999) / 1000000);
    return 0;
}

int64_t se_sys_poll(struct se *se, const uint64_t *a)
{
    return do_poll(se, a[0], a[1], (int)a[2]);
}

int64_t se_sys_ppoll(struct se *se, const uint64_t *a)
{
    int ms;
    int rc = timespec_ms(se, a[2], &ms);
    return rc < 0 ? rc : do_poll(se, a[0], a[1], ms);
}

/* select over guest descriptors, through host poll. */
static int64_t do_select(struct se *se, const uint64_t *a, int timeout_ms)
{
    int nfds = (int)a[0];
    if (nfds < 0 || nfds > (int)fd_limit(se))
        return -EINVAL;
    uint64_t sets[3][SE_MAX_FDS / 64], out[3][SE_MAX_FDS / 64];
    size_t bytes = (size_t)(nfds + 63) / 64 * 8;
    memset(sets, 0, sizeof(sets));
    memset(out, 0, sizeof(out));
    for (int k = 0; k < 3; k++)
        if (a[1 + k] && se_copy_from_guest(se, a[1 + k], sets[k], bytes) < 0)
            return -EFAULT;
    struct pollfd p[SE_MAX_FDS];
    int idx[SE_MAX_FDS], n = 0;
    for (int g = 0; g < nfds; g++) {
        short ev = 0;
        for (int k = 0; k < 3; k++)
            if ((sets[k][g / 64] >> (g % 64)) & 1)
                ev |= (short)(k == 0 ? POLLIN : k == 1 ? POLLOUT : POLLPRI);
        if (!ev)
            continue;
        int h = se_fd_host(se, (uint64_t)g);
        if (h < 0)
            return -EBADF;
        p[n] = (struct pollfd){ h, ev, 0 };
        idx[n++] = g;
    }
    long r = 0;
    if (n == 0 && timeout_ms < 0) {
        se_kill(se, SIGKILL, "select() with nothing to wait for and no timeout would wait forever");
        return -EINTR;
    }
    if (n > 0)
        r = poll(p, (nfds_t)n, timeout_ms);  /* with nothing to wait for: a simulated sleep */
    if (r < 0)
        return -errno;
    if (r == 0 && timeout_ms > 0)
        se->sleep_ns += (uint64_t)timeout_ms * 1000000ull;
    int count = 0;
    for (int i = 0; i < n; i++) {
        int g = idx[i];
        short re = p[i].revents;
        short ev = p[i].events;
        bool rd = (ev & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR));
        bool wr = (ev & POLLOUT) && (re & (POLLOUT | POLLERR));
        bool ex = (ev & POLLPRI) && (re & POLLPRI);
        if (rd) out[0][g / 64] |= 1ull << (g % 64), count++;
        if (wr) out[1][g / 64] |= 1ull << (g % 64), count++;
        if (ex) out[2][g / 64] |= 1ull << (g % 64), count++;
    }
    for (int k = 0; k < 3; k++)
        if (a[1 + k] && se_copy_to_guest(se, a[1 + k], out[k], bytes) < 0)
            return -EFAULT;
    return count;
}

int64_t se_sys_select(struct se *se, const uint64_t *a)
{
    int ms = -1;
    if (a[4]) {
        int64_t tv[2];
        if (se_copy_from_guest(se, a[4], tv, sizeof(tv)) < 0)
            return -EFAULT;
        if (tv[0] < 0 || tv[1] < 0)
            return -EINVAL;
        ms = tv[0] > 2000000 ? 2000000000 : (int)(tv[0] * 1000 + (tv[1] + 999) / 1000);
    }
    int64_t r = do_select(se, a, ms);
    if (r >= 0 && a[4]) {
        int64_t zero[2] = { 0, 0 };
        if (r == 0)
            se_copy_to_guest(se, a[4], zero, sizeof(zero));
    }
    return r;
}

int64_t se_sys_pselect6(struct se *se, const uint64_t *a)
{
    int ms;
    int rc = timespec_ms(se, a[4], &ms);
    return rc < 0 ? rc : do_select(se, a, ms);
}

/* ------------------------------------------------------------ sockets ---- */

int64_t se_sys_socket(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -EAFNOSUPPORT;
}

int64_t se_sys_socketpair(struct se *se, const uint64_t *a)
{
    (void)se, (void)a;
    return -EAFNOSUPPORT;
}
