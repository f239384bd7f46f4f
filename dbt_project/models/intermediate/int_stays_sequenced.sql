-- A table, not a view: two marts and four tests read it, and the window functions need not rerun each time.
{{ config(materialized="table") }}

-- One row per stay with the same patient's previous and next stay: the basis of the readmission flags.
-- A stay is readmitted_within_30d when the next admission comes 1..readmission_window_days (var, 30) days
-- after its discharge; it is_readmission when it began 1..readmission_window_days days after the previous
-- stay's discharge.
with stays as (
    select
        hospitalization_id,
        patient_id,
        admission_date,
        discharge_date
    from {{ ref('stg_hospitalizations') }}
),

sequenced as (
    select
        hospitalization_id,
        patient_id,
        admission_date,
        discharge_date,
        row_number() over (
            partition by patient_id order by admission_date, hospitalization_id
        ) as stay_number,
        lag(discharge_date) over (
            partition by patient_id order by admission_date, hospitalization_id
        ) as previous_discharge_date,
        lead(admission_date) over (
            partition by patient_id order by admission_date, hospitalization_id
        ) as next_admission_date
    from stays
),

with_gaps as (
    select
        *,
        {{ hospital_analytics.days_between('previous_discharge_date', 'admission_date') }}
            as days_since_previous_discharge,
        {{ hospital_analytics.days_between('discharge_date', 'next_admission_date') }}
            as days_to_next_admission
    from sequenced
)

select
    hospitalization_id,
    patient_id,
    admission_date,
    discharge_date,
    cast(stay_number as integer) as stay_number,
    previous_discharge_date,
    next_admission_date,
    cast(days_since_previous_discharge as integer) as days_since_previous_discharge,
    cast(days_to_next_admission as integer) as days_to_next_admission,
    coalesce(
        days_to_next_admission between 1 and {{ hospital_analytics.readmission_window_days() }}, false
    ) as readmitted_within_30d,
    coalesce(
        days_since_previous_discharge between 1 and {{ hospital_analytics.readmission_window_days() }}, false
    ) as is_readmission
from with_gaps
