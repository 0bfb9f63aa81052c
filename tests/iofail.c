/* iofail.c: an LD_PRELOAD shim for tests: writes and fsyncs to files whose path contains
 * $IOFAIL_PATH fail with ENOSPC, as on a full disk. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int hit(int fd)
{
    const char *want = getenv("IOFAIL_PATH");
    char link[64], path[4096];
    if (!want || !*want)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return strstr(path, want) != NULL;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

ssize_t write(int fd, const void *buf, size_t n)
{
    static write_fn real;
    if (!real)
        real = (write_fn)dlsym(RTLD_NEXT, "write");
    if (hit(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, n);
}

static ssize_t fail_pwrite(const char *name, int fd, const void *buf, size_t n, off_t off)
{
    pwrite_fn real = (pwrite_fn)dlsym(RTLD_NEXT, name);
    if (hit(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return fail_pwrite("pwrite", fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return fail_pwrite("pwrite64", fd, buf, n, off);
}

static int fail_sync(const char *name, int fd)
{
    sync_fn real = (sync_fn)dlsym(RTLD_NEXT, name);
    if (hit(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd);
}

int fsync(int fd)
{
    return fail_sync("fsync", fd);
}

int fdatasync(int fd)
{
    return fail_sync("fdatasync", fd);
}
