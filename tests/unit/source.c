/* source.c: unit tests of ingest/source.c: strict encoding detection. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

void test_encodings(void)
{
    struct src_info info;
    /* 中文 in GB18030 is D6 D0 CE C4: not UTF-8 */
    const char gb[] = "id\n\xD6\xD0\xCE\xC4\n";
    char *p = write_tmp("gb.csv", gb, sizeof gb - 1);
    CHECK(src_scan(p, ENC_AUTO, &info) == 0 && info.enc == ENC_GB18030, "auto -> gb18030");
    fprintf(stderr, "(the next two errors are expected)\n");
    CHECK(src_scan(p, ENC_UTF8, &info) == XV_EDATA, "forced utf-8 refuses gb18030");
    const char neither[] = "id\n\xFF\xFF\xFF\n";
    p = write_tmp("bad.csv", neither, sizeof neither - 1);
    CHECK(src_scan(p, ENC_AUTO, &info) == XV_EDATA, "neither encoding");
    const char u8[] = "\xEF\xBB\xBFid\n\xE4\xB8\xAD\n";
    p = write_tmp("u8.csv", u8, sizeof u8 - 1);
    CHECK(src_scan(p, ENC_AUTO, &info) == 0 && info.enc == ENC_UTF8 && info.size == 10,
          "auto -> utf-8");
    /* decoding GB18030 gives UTF-8 */
    struct src s;
    char buf[64];
    p = write_tmp("gb2.csv", gb, sizeof gb - 1);
    CHECK(src_open(&s, p, ENC_GB18030) == 0, "open");
    ssize_t n = src_read(&s, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(!strcmp(buf, "id\n中文\n"), "decoded '%s'", buf);
    src_close(&s);
    unlink(p);
}
