-- The daily census moves by that day's admissions minus discharges, and counts every stay admitted in
-- the window once.
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
    from {{ ref('stg_hospitalizations') }}
    where admission_date <= (select window_end from {{ ref('int_window') }})
)

select census_date, previous_census, admissions, discharges, patients_in_hospital
from census
where previous_census is not null
  and patients_in_hospital <> previous_census + admissions - discharges
union all
select null, null, (select sum(admissions) from census), null, (select stays from admitted_in_window)
from admitted_in_window
where (select sum(admissions) from census) <> stays
