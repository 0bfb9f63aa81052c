/* source.h: reads a feed file as UTF-8 whatever its encoding, after checking and hashing it. */
#ifndef XV_SOURCE_H
#define XV_SOURCE_H
#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum src_enc { ENC_AUTO, ENC_UTF8, ENC_GB18030 };

/* What a first pass over the file found. */
struct src_info {
    char sha256[65];          /* of the bytes as stored */
    uint64_t fast[2];         /* XXH3-128 of the bytes, to notice a change between passes */
    unsigned long long size;
    enum src_enc enc;         /* detected or confirmed */
    unsigned long long not_utf8_at; /* ENC_GB18030 detected: the first byte that is not UTF-8 */
};

/* Parses "auto", "utf-8"/"utf8", "gb18030" (also "gbk", "gb2312"); -1 when unknown. */
int src_enc_parse(const char *name);
const char *src_enc_name(enum src_enc e);

/* Reads PATH once: hashes it and checks that it decodes strictly as WANT (ENC_AUTO: UTF-8,
 * else GB18030). Returns XV_EDATA with a message naming the first bad byte offset. */
int src_scan(const char *path, enum src_enc want, struct src_info *info);

/* The same scan in its own thread, beside the reader: src_scan_start starts it (the job is
 * owned by the caller until src_scan_wait, which joins it, prints its failure if any and
 * returns what src_scan would have). src_scan_finished tells without waiting. */
struct src_job;
int src_scan_start(struct src_job **out, const char *path, enum src_enc want);
int src_scan_finished(const struct src_job *j);
int src_scan_wait(struct src_job *j, struct src_info *info);

/* The encoding the first MiB of PATH is in: ENC_UTF8 when it has non-ASCII text that is
 * valid UTF-8, ENC_GB18030 when it is valid GB18030 instead, ENC_AUTO when it cannot tell. */
enum src_enc src_guess(const char *path);

/* The encoding the XML declaration of PATH names, in *ENC (ENC_AUTO when it has none):
 * UTF-8, or GB18030 for GB18030, GBK, GB2312 and CP936 alike (GB18030 is their superset).
 * XV_EDATA for any other, or one that cannot be read; the declaration is never quoted
 * beyond the name. */
int src_xml_declared(const char *path, enum src_enc *enc);

/* A stream of UTF-8 bytes decoded from a file; the BOM, if any, is dropped. */
struct src {
    const char *path;
    int fd;
    enum src_enc enc;
    iconv_t cd;
    unsigned char in[65536];
    size_t inlen;             /* undecoded bytes at the start of in[] */
    unsigned long long offset;/* file offset of in[0] */
    int started, eof;
    void *xxh;                /* XXH3 state for the second-pass check */
    uint64_t fast[2];
};

/* Opens PATH for reading as ENC (not ENC_AUTO). */
int src_open(struct src *s, const char *path, enum src_enc enc);
/* The same on FD, open on PATH, which the stream owns from now on (src_close closes it). */
int src_open_fd(struct src *s, int fd, const char *path, enum src_enc enc);
/* Reads up to N decoded bytes into BUF; returns the count, 0 at the end, or XV_E* < 0. */
ssize_t src_read(struct src *s, char *buf, size_t n);
/* At the end of the stream: XV_EDATA when the bytes read differ from INFO's hash. This is
 * src_finish (reads what the parser left and keeps the hash in FAST) then src_same. */
int src_verify(struct src *s, const struct src_info *info);
int src_finish(struct src *s);
int src_same(const struct src *s, const struct src_info *info);
void src_close(struct src *s);

#endif
