-- One row per patient: age on the window's last day, and its age group.
with patients as (
    select * from {{ ref('stg_patients') }}
),

window_bounds as (
    select window_end from {{ ref('int_window') }}
),

aged as (
    select
        patients.patient_id,
        patients.gender,
        patients.birth_date,
        window_bounds.window_end,
        cast({{ hospital_analytics.age_in_years('patients.birth_date', 'window_bounds.window_end') }} as integer)
            as age_at_window_end
    from patients
    cross join window_bounds
)

select
    patient_id,
    gender,
    birth_date,
    window_end,
    age_at_window_end,
    {{ hospital_analytics.age_group('age_at_window_end') }} as age_group,
    {{ hospital_analytics.age_group_order('age_at_window_end') }} as age_group_order
from aged
