"""Makes hostile workbooks from a good one: xlsx_hostile.py GOOD. Writes bomb.xlsx (a sheet
part of 40 MiB that compresses to a few KiB), many.xlsx (over 1000 parts) and nosheet.xlsx
(no sheet named 待处理)."""
import sys
import zipfile

src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile("bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for n in src.namelist():
        data = src.read(n)
        if n == "xl/worksheets/sheet1.xml":
            data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * (40 << 20))
        z.writestr(n, data)
with zipfile.ZipFile("many.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for n in src.namelist():
        z.writestr(n, src.read(n))
    for i in range(1001):
        z.writestr("x/%d.xml" % i, b"<a/>")
with zipfile.ZipFile("nosheet.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for n in src.namelist():
        data = src.read(n)
        if n == "xl/workbook.xml":
            data = data.replace("待处理".encode(), b"other")
        z.writestr(n, data)
