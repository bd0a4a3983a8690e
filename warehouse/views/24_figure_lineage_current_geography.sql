-- One row per figure of indicator_rollup_current_geography × value it is computed from, as figure_lineage (the
-- macro figure_lineage_of over the current geography's values and roll-up: unit_code is the current unit, value
-- the value re-expressed in it), with the value as reported: its unit (reported_unit_code) and value
-- (reported_value), the weight applied, whether it was allocated, and the succession rows used (succession_paths:
-- each path's units, each two neighbours a row of unit_successions, e.g. [STTTT, SKHCN, SKHCN-TQ]).
create or replace view figure_lineage_current_geography as
select
    lineage.*,
    reexpressed.reported_unit_code,
    reexpressed.reported_value,
    reexpressed.weight,
    reexpressed.allocated,
    reexpressed.succession_paths
from figure_lineage_of('indicator_values_current_geography', 'indicator_rollup_current_geography') as lineage
inner join indicator_values_current_geography as reexpressed
    on lineage.submission_id = reexpressed.submission_id
        and lineage.input_indicator_code = reexpressed.indicator_code
        and lineage.disaggregation = reexpressed.disaggregation
        and lineage.unit_code = reexpressed.unit_code;
