"""Fills a county workbook in as a reviewer would, and saves it with openpyxl (another xlsx
writer than the one that made it): xlsx_fill.py IN OUT APP:RULE:DECISION:REASON[:COUNTY]...
The decisions go into the first sheet (待处理, or Open findings in English); COUNTY, when
given, overwrites the row's county code as a tampered file would."""
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
for spec in sys.argv[3:]:
    app, rule, decision, reason, *county = spec.split(":")
    for row in ws.iter_rows(min_row=2):
        if row[3].value == app and row[6].value == rule:
            row[14].value, row[15].value, row[16].value = decision, reason, "李华"
            if county:
                row[2].value = county[0]
wb.save(sys.argv[2])
