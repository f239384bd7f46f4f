-- Admissions and discharges by ISO day of the week (1 Monday .. 7 Sunday) and admission type, for the stays
-- admitted in the window (discharges: those discharged by its end), with each weekday's share of its type.
with stays as (
    select
        admission_type,
        admission_weekday,
        discharge_weekday
    from {{ ref('fct_hospitalizations') }}
),

weekdays as (
    {% for day in range(1, 8) -%}
        select {{ day }} as day_of_week
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

types as (
    select distinct admission_type from stays
),

admitted as (
    select
        admission_type,
        admission_weekday as day_of_week,
        count(*) as admissions
    from stays
    group by admission_type, admission_weekday
),

discharged as (
    select
        admission_type,
        discharge_weekday as day_of_week,
        count(*) as discharges
    from stays
    where discharge_weekday is not null
    group by admission_type, discharge_weekday
),

grid as (
    select
        types.admission_type,
        weekdays.day_of_week,
        coalesce(admitted.admissions, 0) as admissions,
        coalesce(discharged.discharges, 0) as discharges
    from types
    cross join weekdays
    left join admitted
        on
            types.admission_type = admitted.admission_type
            and weekdays.day_of_week = admitted.day_of_week
    left join discharged
        on
            types.admission_type = discharged.admission_type
            and weekdays.day_of_week = discharged.day_of_week
)

select
    cast(day_of_week as integer) as day_of_week,
    {{ hospital_analytics.weekday_name('day_of_week') }} as day_name,
    admission_type,
    cast(admissions as bigint) as admissions,
    cast(discharges as bigint) as discharges,
    cast(admissions as double)
    / nullif(cast(sum(admissions) over (partition by admission_type) as double), 0) as share_of_admissions,
    cast(discharges as double)
    / nullif(cast(sum(discharges) over (partition by admission_type) as double), 0) as share_of_discharges
from grid
