/* seal.c: the audit key: where it lives, how it is created and checked, and HMAC-SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include "err.h"
#include "seal.h"
#include "util.h"

#define KEY_BYTES 32

static unsigned char key[KEY_BYTES];
static int have_key;

int seal_key_path(char *out, size_t size)
{
    const char *env = getenv(SEAL_ENV), *xdg = getenv("XDG_CONFIG_HOME"),
               *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(out, size, "%s", env);
    else if (xdg && *xdg)
        n = snprintf(out, size, "%s/xverify/audit.key", xdg);
    else if (home && *home)
        n = snprintf(out, size, "%s/.config/xverify/audit.key", home);
    else
        return xv_fail(XV_EUSAGE, "no audit key: set %s to the key file's path", SEAL_ENV);
    if (n < 0 || (size_t)n >= size)
        return xv_fail(XV_EUSAGE, "the audit key's path is too long");
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads and checks the key file at PATH into key[]. */
static int load_key(const char *path)
{
    char buf[80];
    struct stat sb;
    ssize_t got = 0;
    int rc = 0, fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return xv_fail(XV_EUSAGE, "no audit key at '%s': create one with 'xverify key "
                           "init' (or set %s to its path)", path, SEAL_ENV);
        return xv_fail(XV_EUSAGE, "cannot open the audit key '%s': %s", path,
                       errno == ELOOP ? "it is a symbolic link" : strerror(errno));
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = xv_fail(XV_EUSAGE, "the audit key '%s' is not a regular file", path);
        goto done;
    }
    if (sb.st_uid != geteuid()) {
        rc = xv_fail(XV_EUSAGE, "the audit key '%s' belongs to another account", path);
        goto done;
    }
    if (sb.st_mode & 027) {
        rc = xv_fail(XV_EUSAGE, "the audit key '%s' is open to others (mode %03o): "
                     "'chmod 600' it", path, (unsigned)(sb.st_mode & 0777));
        goto done;
    }
    while (got < (ssize_t)sizeof buf) {
        ssize_t r = read(fd, buf + got, sizeof buf - (size_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += r;
    }
    /* 64 hex digits, and a newline at most; what the file holds is never quoted */
    if (got > 0 && buf[got - 1] == '\n')
        got--;
    int ok = got == 2 * KEY_BYTES;
    for (int i = 0; ok && i < KEY_BYTES; i++) {
        int hi = hexval((unsigned char)buf[2 * i]), lo = hexval((unsigned char)buf[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        key[i] = (unsigned char)(hi << 4 | lo);
    }
    if (!ok)
        rc = xv_fail(XV_EUSAGE, "the audit key '%s' is not 64 hex digits", path);
    else
        have_key = 1;
done:
    memset(buf, 0, sizeof buf);
    close(fd);
    return rc;
}

static int need_key(void)
{
    char path[4096];
    int rc;
    if (have_key)
        return 0;
    if ((rc = seal_key_path(path, sizeof path)) < 0)
        return rc;
    return load_key(path);
}

/* HMAC-SHA-256 keyed with key[] once, and started again with that key for each message: the
 * one-shot HMAC() looked up both algorithms and keyed them on every call, which was most of
 * the cost of checking a trail entry's seal (every run checks them all). One thread at a time
 * reads the key and uses it (mac_lock): a run checks its trail in a thread of its own. */
static EVP_MAC_CTX *mac_ctx;
static pthread_mutex_t mac_lock = PTHREAD_MUTEX_INITIALIZER;

/* Makes mac_ctx, keyed, when there is none yet (under mac_lock); 0 when OpenSSL fails. */
static int mac_ready(void)
{
    if (mac_ctx)
        return 1;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    if (!ctx || !EVP_MAC_init(ctx, key, KEY_BYTES, params)) {
        EVP_MAC_CTX_free(ctx);
        return 0;
    }
    mac_ctx = ctx;
    return 1;
}

int seal_mac(const void *msg, size_t n, char out[65])
{
    unsigned char md[32];
    size_t len = 0;
    pthread_mutex_lock(&mac_lock);
    int rc = need_key();
    if (rc < 0) {
        pthread_mutex_unlock(&mac_lock);
        return rc;
    }
    int ok = mac_ready() && EVP_MAC_init(mac_ctx, NULL, 0, NULL) &&
             EVP_MAC_update(mac_ctx, msg, n) && EVP_MAC_final(mac_ctx, md, &len, sizeof md) &&
             len == 32;
    pthread_mutex_unlock(&mac_lock);
    if (!ok)
        return xv_fail(XV_ERR, "HMAC-SHA-256 failed");
    hex32(md, out);
    return 0;
}

int seal_key_id(char out[17])
{
    char mac[65];
    static const char text[] = "xverify audit key id";
    int rc = seal_mac(text, sizeof text - 1, mac);
    if (rc < 0)
        return rc;
    memcpy(out, mac, 16);
    out[16] = '\0';
    return 0;
}

int seal_key_init(const char *path)
{
    char buf[4096], hex[2 * KEY_BYTES + 2];
    unsigned char k[KEY_BYTES];
    int rc = 0, fd = -1;
    if (!path) {
        if ((rc = seal_key_path(buf, sizeof buf)) < 0)
            return rc;
        path = buf;
    }
    /* the folder of the default path is made, private; a given one must exist */
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (!getenv(SEAL_ENV) || !*getenv(SEAL_ENV)) {
            for (char *s = dir + 1; ; s++) {
                if (*s != '/' && *s)
                    continue;
                char c = *s;
                *s = '\0';
                if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                    rc = xv_fail(XV_EIO, "cannot create folder '%s': %s", dir, strerror(errno));
                    break;
                }
                *s = c;
                if (!c)
                    break;
            }
        }
    }
    free(dir);
    if (rc < 0)
        return rc;
    if (RAND_bytes(k, KEY_BYTES) != 1)
        return xv_fail(XV_ERR, "no random bytes for a key");
    for (int i = 0; i < KEY_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", k[i]);
    hex[2 * KEY_BYTES] = '\n';
    memset(k, 0, sizeof k);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = errno == EEXIST
                 ? xv_fail(XV_EUSAGE, "'%s' exists: a new key would leave every trail sealed "
                           "with the old one unverifiable; it is left as it is", path)
                 : xv_fail(XV_EIO, "cannot create '%s': %s", path, strerror(errno));
        goto done;
    }
    if (write(fd, hex, sizeof hex - 1) != (ssize_t)(sizeof hex - 1) || fsync(fd) != 0) {
        rc = xv_fail(XV_EIO, "cannot write '%s': %s", path, strerror(errno));
        unlink(path);
    }
done:
    memset(hex, 0, sizeof hex);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = xv_fail(XV_EIO, "cannot write '%s': %s", path, strerror(errno));
    return rc;
}
