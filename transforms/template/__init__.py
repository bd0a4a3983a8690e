"""The reporting template: one protected workbook per data set, unit and period, made from the catalog.

- `form`: what a template shows of the catalog (a data set's form, checked for a unit and a period);
- `workbook`: the workbook (openpyxl): the report sheet as the reader reads it, locked, validated,
  rule 9's pairs coloured, the guide sheet and the stamp;
- `guide`: the second sheet's words; `stamp`: the stamp read back, with the standard library only
  (the reader tells a workbook made from an outdated catalog without loading openpyxl).
"""
