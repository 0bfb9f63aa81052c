/* replay.c: runs a fuzz target over every file of its corpus folders, as ordinary tests do. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/util.h"
#include "fuzz.h"

int main(int argc, char **argv)
{
    int files = 0;
    if (LLVMFuzzerInitialize(&argc, &argv) != 0)
        return 2;
    /* the readers report bad input on stderr, as they should; here it is noise */
    if (!freopen("/dev/null", "w", stderr))
        return 2;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        if (!d) {
            printf("cannot read '%s'\n", argv[i]);
            return 2;
        }
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            struct sbuf path = SBUF_INIT, data = SBUF_INIT;
            sbuf_addf(&path, "%s/%s", argv[i], e->d_name);
            if (read_small_file(path.s, 16 << 20, &data) < 0) {
                printf("cannot read '%s'\n", path.s);
                closedir(d);
                return 2;
            }
            LLVMFuzzerTestOneInput((const uint8_t *)(data.s ? data.s : ""), data.len);
            files++;
            sbuf_free(&path);
            sbuf_free(&data);
        }
        closedir(d);
    }
    printf("%d inputs replayed\n", files);
    return files ? 0 : 1;
}
