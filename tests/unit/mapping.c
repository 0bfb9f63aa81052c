/* mapping.c: unit tests of core/kv.c and ingest/mapping.c: key = value files and mapping files. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

static int kv_count(void *ctx, const char *k, const char *v, const char *file, long line)
{
    (void)k; (void)v; (void)file; (void)line;
    (*(int *)ctx)++;
    return 0;
}

void test_kv_mapping(void)
{
    int n = 0;
    const char good[] = "# c\nkind = vehicle  # trailing\n\nplate = HPHM\nstatus.A = 正常\n";
    CHECK(kv_parse_buf("m", good, sizeof good - 1, kv_count, &n) == 0 && n == 3, "kv %d", n);
    fprintf(stderr, "(the next errors are expected)\n");
    const char bad[] = "kind = vehicle\nplate HPHM\n";
    n = 0;
    CHECK(kv_parse_buf("m", bad, sizeof bad - 1, kv_count, &n) == XV_EUSAGE, "no '='");
    struct mapping m;
    char *p = write_tmp("v.map", good, sizeof good - 1);
    CHECK(map_load(p, NULL, &m) == 0 && m.nvmaps == 1 && !strcmp(m.source[2], "HPHM"),
          "mapping loads");
    CHECK(!strcmp(map_value(&m, 6, "A"), "正常"), "value map");
    CHECK(map_value(&m, 6, "B") == NULL, "unmapped value");
    map_free(&m);
    const char unk[] = "kind = vehicle\ncolour = YS\n";
    p = write_tmp("u.map", unk, sizeof unk - 1);
    CHECK(map_load(p, NULL, &m) == XV_EUSAGE, "unknown key refused");
    const char unkv[] = "kind = vehicle\ncolour.A = red\n";
    p = write_tmp("uv.map", unkv, sizeof unkv - 1);
    CHECK(map_load(p, NULL, &m) == XV_EUSAGE, "value map of unknown column refused");
    const char other[] = "kind = household\n";
    p = write_tmp("o.map", other, sizeof other - 1);
    CHECK(map_load(p, NULL, &m) == 0, "household mapping");
    map_free(&m);
    unlink(p);
}
