-- Every day of the window: admissions, discharges and the midnight census (stays with admission_date <= day
-- and, discharged or not, discharge_date > day), i.e. bed occupancy of the whole system. Stays admitted
-- before the window and still in house on its first day are carried in; open stays count to the last day.
with stays as (
    select
        admission_date,
        discharge_date
    from {{ ref('stg_hospitalizations') }}
),

bounds as (
    select
        window_start,
        window_end
    from {{ ref('int_window') }}
),

spine as (
    {{ hospital_analytics.date_spine('bounds', 'window_start', 'window_end') }}
),

carried_in as (
    select count(*) as patients
    from stays
    cross join bounds
    where
        stays.admission_date < bounds.window_start
        and (stays.discharge_date is null or stays.discharge_date >= bounds.window_start)
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
    where discharge_date is not null
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

-- Carried in, plus admitted on or before the day, minus discharged on or before it: a same-day stay adds nothing.
select
    daily.date_day as census_date,
    cast(daily.admissions as bigint) as admissions,
    cast(daily.discharges as bigint) as discharges,
    cast(
        carried_in.patients
        + sum(daily.admissions) over (order by daily.date_day rows between unbounded preceding and current row)
        - sum(daily.discharges) over (order by daily.date_day rows between unbounded preceding and current row)
        as bigint
    ) as patients_in_hospital
from daily
cross join carried_in
