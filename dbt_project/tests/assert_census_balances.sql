-- The daily census moves by that day's admissions minus discharges, and counts every stay admitted in
-- the window once (the stays carried in from before the window are in the first day's census).
with census as (
    select
        census_date,
        admissions,
        discharges,
        patients_in_hospital,
        lag(patients_in_hospital) over (order by census_date) as previous_census
    from {{ ref('daily_census') }}
),

admitted_in_window as (
    select count(*) as stays
    from {{ ref('int_stays') }}
    where admitted_in_window
),

census_total as (
    select sum(admissions) as admissions from census
)

select
    census_date,
    previous_census,
    admissions,
    discharges,
    patients_in_hospital
from census
where
    previous_census is not null
    and patients_in_hospital <> previous_census + admissions - discharges
union all
select
    null as census_date,
    null as previous_census,
    census_total.admissions,
    null as discharges,
    admitted_in_window.stays as patients_in_hospital
from census_total
cross join admitted_in_window
where census_total.admissions <> admitted_in_window.stays
