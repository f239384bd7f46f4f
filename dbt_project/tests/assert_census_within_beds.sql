-- At every midnight of the window the census of every unit is at most its staffed beds.
select
    census_date,
    hospital_id,
    unit_id,
    unit_code,
    beds,
    patients
from {{ ref('occupancy_daily') }}
where patients > beds
