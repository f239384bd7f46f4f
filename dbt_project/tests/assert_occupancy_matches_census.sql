-- The units' midnight census (from bed_movements) adds up, day by day, to the system's census from the stays'
-- dates (daily_census): every stay in house is in exactly one unit at each midnight.
with units as (
    select
        census_date,
        sum(patients) as patients
    from {{ ref('occupancy_daily') }}
    group by census_date
),

system as (
    select
        census_date,
        patients_in_hospital
    from {{ ref('daily_census') }}
)

select
    coalesce(units.census_date, system.census_date) as census_date,
    units.patients as unit_patients,
    system.patients_in_hospital
from units
full outer join system
    on units.census_date = system.census_date
where
    units.patients is null
    or system.patients_in_hospital is null
    or units.patients <> system.patients_in_hospital
