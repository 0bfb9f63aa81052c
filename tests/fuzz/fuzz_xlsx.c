/* fuzz_xlsx.c: fuzz target for the returned-workbook reader: any bytes, read as a workbook's
 * sheet 待处理, end in a refusal or in rows, never in a crash, a leak or a read past a part.
 * The first byte picks what the rest is: a whole .xlsx file (0), or the sheet's XML (1) or
 * the shared strings' XML (2) zipped by libzip into a workbook around it, so that the XML
 * parsing is reached past the zip's checksums. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <libxml/parser.h>
#include "../../ingest/xlsxin.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_xml_init();
    return 0;
}

static const char workbook[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats."
    "org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/"
    "2006/relationships\"><sheets><sheet name=\"待处理\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
    "</workbook>";
static const char rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas."
    "openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Target="
    "\"worksheets/sheet1.xml\"/></Relationships>";
static const char sheet[] =
    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" "
    "t=\"inlineStr\"><is><t>处理意见</t></is></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>1"
    "</v></c><c r=\"B2\"><v>12</v></c></row></sheetData></worksheet>";
static const char strings[] = "<sst><si><t>指纹</t></si><si><r><t>a</t></r><r><t>b</t></r>"
                              "<rPh><t>x</t></rPh></si></sst>";

/* A workbook around PART (the sheet when WHICH is 1, the shared strings when 2) at PATH. */
static int zipped(const uint8_t *part, size_t n, int which, const char *path)
{
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        return -1;
    const struct { const char *name; const void *p; size_t n; } parts[] = {
        { "xl/workbook.xml", workbook, sizeof workbook - 1 },
        { "xl/_rels/workbook.xml.rels", rels, sizeof rels - 1 },
        { "xl/worksheets/sheet1.xml", which == 1 ? (const void *)part : sheet,
          which == 1 ? n : sizeof sheet - 1 },
        { "xl/sharedStrings.xml", which == 2 ? (const void *)part : strings,
          which == 2 ? n : sizeof strings - 1 },
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        zip_source_t *s = zip_source_buffer(z, parts[i].p, parts[i].n, 0);
        if (!s || zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(s);
            zip_discard(z);
            return -1;
        }
    }
    return zip_close(z) < 0 ? (zip_discard(z), -1) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    long n = 0;
    int fd;
    if (size < 1)
        return 0;
    struct reader_cb cb = { fuzz_column, NULL, NULL, fuzz_record, &n, NULL, NULL, NULL };
    if (data[0] % 3 == 0) {
        if ((fd = fuzz_memfile(data + 1, size - 1, path)) < 0)
            return 0;
    } else {
        char tmp[] = "/tmp/xv-fuzz-xlsx-XXXXXX";
        int t = mkstemp(tmp);
        if (t < 0)
            return 0;
        close(t);
        fd = zipped(data + 1, size - 1, data[0] % 3, tmp) == 0 ? open(tmp, O_RDONLY) : -1;
        unlink(tmp);
        if (fd < 0)
            return 0;
    }
    /* the reader owns FD from here: it closes it whatever happens */
    static const char *const sheets[] = { "待处理", "Open findings", NULL };
    (void)xlsxin_read(fd, "fuzz.xlsx", sheets, &cb);
    return 0;
}
