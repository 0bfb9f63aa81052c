/* unit.h: what the unit tests share: the CHECK macro, temporary files, one test function per
 * area, each in the file of the module it tests. */
#ifndef XV_UNIT_H
#define XV_UNIT_H
#include <stddef.h>
#include <stdio.h>
#include "../../core/err.h"
#include "../../core/kv.h"
#include "../../core/policy.h"
#include "../../core/store.h"
#include "../../core/utf8.h"
#include "../../core/util.h"
#include "../../core/verdict.h"
#include "../../ingest/mapping.h"
#include "../../ingest/norm.h"
#include "../../ingest/reader.h"
#include "../../ingest/source.h"
#include "../../ingest/vdiff.h"
#include "../../matchers/compare.h"
#include "../../matchers/rules/rules.h"
#include "../../core/msg.h"

extern int unit_passed, unit_failed;

/* Counts COND as a passed or a failed check; a failure prints "not ok FILE:LINE: message". */
#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            unit_passed++;                                                 \
        } else {                                                           \
            unit_failed++;                                                 \
            printf("not ok %s:%d: ", __FILE__, __LINE__);                  \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
    } while (0)

/* Writes N bytes of DATA to a temporary file named after NAME (removed at the end); returns
 * its path, or NULL. */
char *write_tmp(const char *name, const void *data, size_t n);

void test_ids(void);
void test_names(void);
void test_fold_runs(void);
void test_dates(void);
void test_amounts(void);
void test_codes(void);
void test_utf8(void);
void test_encodings(void);
void test_csv(void);
void test_csv_scan(void);
void test_csv_fast(void);
void test_vdiff(void);
void test_vdiff_pairing(void);
void test_hash_entries(void);
void test_hash_lines(void);
void test_keys_range(void);
void test_kv_mapping(void);
void test_compare(void);
void test_policy(void);
void test_rules_policy(void);
void test_fingerprints(void);
void test_masking(void);
void test_cli_args(void);
void test_link_keys(void);
void test_linked_ids(void);
void test_linked_set(void);
void test_gates(void);
void test_gates_runs_of(void);
void test_id_difference(void);
void test_report_escaping(void);
void test_notice_names(void);
void test_message_table(void);
void test_errors(void);
void test_store_bind(void);
void test_store_beside(void);
void test_row_hash(void);
void test_tie_line(void);
void test_append_reads_no_trail(void);
void test_huge_array(void);
void test_arena(void);
void test_sbuf_addf(void);

#endif
