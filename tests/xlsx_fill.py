"""Fills a county workbook in as a reviewer would, and saves it with openpyxl (another xlsx
writer than the one that made it): xlsx_fill.py IN OUT APP:RULE:DECISION:REASON..."""
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["待处理"]
for spec in sys.argv[3:]:
    app, rule, decision, reason = spec.split(":")
    for row in ws.iter_rows(min_row=2):
        if row[3].value == app and row[6].value == rule:
            row[14].value, row[15].value, row[16].value = decision, reason, "李华"
wb.save(sys.argv[2])
