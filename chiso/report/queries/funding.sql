-- Science and technology funding allocated and disbursed (million VND), per year and scope.
select
    scope,
    period as year,
    max(value) filter (where indicator_code = 'KP_BOTRI') as allocated,
    max(value) filter (where indicator_code = 'KP_GIAINGAN') as disbursed,
    max(value) filter (where indicator_code = 'KP_TYLE_GIAINGAN') as disbursed_share,
    max(units_reporting) filter (where indicator_code = 'KP_BOTRI') as units_reporting
from indicator_rollup
where period_type = 'year'
    and indicator_code in ('KP_BOTRI', 'KP_GIAINGAN', 'KP_TYLE_GIAINGAN')
group by scope, period
order by scope, period;
