-- Every stay ends on or after the day it began.
select
    hospitalization_id,
    admission_date,
    discharge_date
from {{ ref('stg_hospitalizations') }}
where discharge_date < admission_date
