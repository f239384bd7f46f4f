-- One row per stay with where it falls in the window: admitted in it (window_start <= admission_date <=
-- window_end), or before it (already in house on the first day; such stays count in the census only).
with stays as (
    select * from {{ ref('stg_hospitalizations') }}
),

window_bounds as (
    select
        window_start,
        window_end
    from {{ ref('int_window') }}
)

select
    stays.hospitalization_id,
    stays.patient_id,
    stays.doctor_id,
    stays.admission_date,
    stays.discharge_date,
    stays.admission_month,
    stays.discharge_month,
    stays.length_of_stay_days,
    stays.reported_length_of_stay_days,
    stays.length_of_stay_band,
    stays.admission_type,
    stays.stay_type,
    stays.diagnosis_code,
    stays.diagnosis_description,
    stays.diagnosis_category,
    stays.discharge_disposition,
    stays.total_charges,
    stays.hospital_id,
    stays.admitted_at,
    stays.discharged_at,
    stays.payer,
    stays.is_discharged,
    coalesce(
        stays.admission_date >= window_bounds.window_start and stays.admission_date <= window_bounds.window_end,
        false
    ) as admitted_in_window
from stays
cross join window_bounds
