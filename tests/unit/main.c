/* main.c: the unit tests' driver: runs every test and ends with "unit: N passed, N failed". */
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

int unit_passed, unit_failed;

/* Temporary files written by the tests, removed at the end. */
static char tmp_paths[32][256];
static int ntmp;

char *write_tmp(const char *name, const void *data, size_t n)
{
    char want[256], *path = NULL;
    snprintf(want, sizeof want, "/tmp/xverify-unit-%d-%s", (int)getpid(), name);
    for (int i = 0; i < ntmp && !path; i++)   /* a name written again reuses its slot */
        if (!strcmp(tmp_paths[i], want))
            path = tmp_paths[i];
    if (!path && ntmp == 32)
        return NULL;
    if (!path)
        path = tmp_paths[ntmp++];
    snprintf(path, 256, "%s", want);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

int main(void)
{
    static void (*const tests[])(void) = {
        test_append_reads_no_trail,   /* first: it opens a store, which configures SQLite */
        test_ids, test_fold_runs, test_names, test_dates, test_amounts, test_codes, test_utf8, test_encodings,
        test_csv, test_csv_scan, test_csv_fast, test_vdiff, test_vdiff_pairing,
        test_hash_entries, test_hash_lines, test_keys_range, test_kv_mapping, test_compare,
        test_policy, test_rules_policy,
        test_fingerprints, test_gates, test_gates_runs_of, test_id_difference, test_masking, test_link_keys, test_linked_ids, test_linked_set, test_report_escaping, test_notice_names, test_message_table,
        test_cli_args, test_errors, test_store_bind, test_store_beside, test_row_hash, test_tie_line, test_huge_array, test_arena, test_sbuf_addf,
    };
    xmlInitParser();
    rules_catalogue_init();
    if (norm_init() < 0)
        return 1;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        tests[i]();
    for (int i = 0; i < ntmp; i++)
        unlink(tmp_paths[i]);
    norm_fini();
    xmlCleanupParser();
    printf("unit: %d passed, %d failed\n", unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}
