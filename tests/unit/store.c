/* store.c: unit tests of core/store_hash.c: the entries of <kind>_hash. */

#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

void test_hash_entries(void)
{
    unsigned char e[STORE_HASH_SIZE];
    uint64_t a, b, c;
    store_hash_put(e, 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull, 0x1122334455667788ull);
    CHECK(e[0] == 0x01 && e[7] == 0xEF && e[8] == 0xFE && e[15] == 0x10 && e[16] == 0x11 &&
          e[23] == 0x88, "big-endian, h1, h2, line: %02x %02x %02x %02x %02x %02x", e[0], e[7],
          e[8], e[15], e[16], e[23]);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == 0x0123456789ABCDEFull &&
          b == 0xFEDCBA9876543210ull && c == 0x1122334455667788ull, "read back");
    store_hash_put(e, 0, 1, 0);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == 0 && b == 1 && c == 0,
          "a zero h1 alone is an entry");
    store_hash_put(e, (uint64_t)-1, 0, 0);
    CHECK(store_hash_get(e, &a, &b, &c) == 1 && a == UINT64_MAX && b == 0, "a zero h2 alone too");
    store_hash_put(e, 0, 0, 5);
    CHECK(store_hash_get(e, &a, &b, &c) == 0, "no content hash is no entry, whatever the line");
}
