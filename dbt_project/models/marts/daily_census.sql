-- Every day from the first admission to the window's last day: admissions, discharges and the midnight
-- census (stays with admission_date <= day < discharge_date), i.e. bed occupancy.
with stays as (
    select
        admission_date,
        discharge_date
    from {{ ref('stg_hospitalizations') }}
),

bounds as (
    select
        first_admission_date,
        window_end
    from {{ ref('int_window') }}
),

spine as (
    {{ hospital_analytics.date_spine('bounds', 'first_admission_date', 'window_end') }}
),

admitted as (
    select
        admission_date as activity_date,
        count(*) as admissions
    from stays
    group by admission_date
),

discharged as (
    select
        discharge_date as activity_date,
        count(*) as discharges
    from stays
    group by discharge_date
),

daily as (
    select
        spine.date_day,
        coalesce(admitted.admissions, 0) as admissions,
        coalesce(discharged.discharges, 0) as discharges
    from spine
    left join admitted
        on spine.date_day = admitted.activity_date
    left join discharged
        on spine.date_day = discharged.activity_date
)

-- Admitted on or before the day minus discharged on or before it: a same-day stay adds nothing.
select
    date_day as census_date,
    cast(admissions as bigint) as admissions,
    cast(discharges as bigint) as discharges,
    cast(
        sum(admissions) over (order by date_day rows between unbounded preceding and current row)
        - sum(discharges) over (order by date_day rows between unbounded preceding and current row)
        as bigint
    ) as patients_in_hospital
from daily
