-- One row per chart of the report (report_charts.csv), in catalog order, with its indicator's parts named.
select
    report_charts.chart_code,
    report_charts.indicator_code,
    report_charts.chart_kind,
    report_charts.period_type,
    report_charts.scopes,
    report_charts.title,
    report_charts.title_en,
    coalesce(report_charts.whole_label, wholes.indicator_name) as whole_label,
    coalesce(report_charts.whole_label_en, wholes.indicator_name_en) as whole_label_en,
    coalesce(report_charts.part_label, parts.indicator_name) as part_label,
    coalesce(report_charts.part_label_en, parts.indicator_name_en) as part_label_en,
    derived_indicators.indicator_name,
    derived_indicators.indicator_name_en,
    derived_indicators.numerator_code as part_code,
    derived_indicators.denominator_code as whole_code,
    wholes.measure_unit,
    wholes.measure_unit_en
from report_charts
inner join derived_indicators using (indicator_code)
left join indicators as wholes on derived_indicators.denominator_code = wholes.indicator_code
left join indicators as parts on derived_indicators.numerator_code = parts.indicator_code
order by report_charts.rowid;
