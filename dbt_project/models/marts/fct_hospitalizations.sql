-- One wide row per stay admitted in the window, for BI: the stay, its patient (age and age group at this
-- admission; the patient's own age group, at their first admission in the window, from int_patient_ages), its
-- doctor, hospital and readmission flags. Stays still open at the window's end are here (is_discharged false, no
-- length of stay, disposition or charges yet); stays admitted before the window are not (see int_stays).
with stays as (
    select * from {{ ref('int_stays') }}
    where admitted_in_window
),

hospitals as (
    select
        hospital_id,
        hospital_name
    from {{ ref('stg_hospitals') }}
),

patients as (
    select * from {{ ref('stg_patients') }}
),

doctors as (
    select * from {{ ref('stg_doctors') }}
),

patient_ages as (
    select
        patient_id,
        age_group,
        age_group_order
    from {{ ref('int_patient_ages') }}
),

data_window as (
    select window_end from {{ ref('int_window') }}
),

sequenced as (
    select
        hospitalization_id,
        readmitted_within_30d,
        is_readmission
    from {{ ref('int_stays_sequenced') }}
),

joined as (
    select
        stays.*,
        patients.gender as patient_gender,
        {{ hospital_analytics.age_at_admission('patients.birth_date', 'stays.admission_date') }}
            as patient_age_at_admission,
        patient_ages.age_group as patient_age_group,
        patient_ages.age_group_order as patient_age_group_order,
        patients.insurance,
        patients.state as patient_state,
        doctors.specialty as doctor_specialty,
        doctors.department as doctor_department,
        sequenced.readmitted_within_30d,
        sequenced.is_readmission,
        hospitals.hospital_name,
        -- the discharge's readmission window lies inside the data: its readmission flag is final
        coalesce(
            {{ hospital_analytics.days_between('stays.discharge_date', 'data_window.window_end') }}
            >= {{ hospital_analytics.readmission_window_days() }},
            false
        ) as follow_up_complete
    from stays
    inner join patients
        on stays.patient_id = patients.patient_id
    inner join patient_ages
        on stays.patient_id = patient_ages.patient_id
    inner join doctors
        on stays.doctor_id = doctors.doctor_id
    inner join sequenced
        on stays.hospitalization_id = sequenced.hospitalization_id
    inner join hospitals
        on stays.hospital_id = hospitals.hospital_id
    cross join data_window
)

select
    hospitalization_id,
    patient_id,
    doctor_id,
    admission_date,
    discharge_date,
    admission_month,
    length_of_stay_days,
    admission_type,
    stay_type,
    diagnosis_code,
    diagnosis_description,
    diagnosis_category,
    discharge_disposition,
    total_charges,
    patient_gender,
    patient_age_at_admission,
    {{ hospital_analytics.age_group('patient_age_at_admission') }} as age_group,
    {{ hospital_analytics.age_group_order('patient_age_at_admission') }} as age_group_order,
    insurance,
    patient_state,
    doctor_specialty,
    doctor_department,
    readmitted_within_30d,
    is_readmission,
    coalesce(discharge_disposition = 'Died', false) as died_in_hospital,
    hospital_id,
    hospital_name,
    payer,
    is_discharged,
    {{ hospital_analytics.day_of_week('admission_date') }} as admission_weekday,
    {{ hospital_analytics.day_of_week('discharge_date') }} as discharge_weekday,
    follow_up_complete,
    readmitted_within_30d and follow_up_complete as readmitted_within_30d_followed_up,
    patient_age_group,
    cast(patient_age_group_order as integer) as patient_age_group_order
from joined
