-- One row per doctor (those without stays too): stays admitted in the window they attend, distinct patients
-- and bed-days (of the discharged stays), with the doctor's hospital and roster role.
with doctors as (
    select * from {{ ref('stg_doctors') }}
),

stays as (
    select * from {{ ref('int_stays') }}
    where admitted_in_window
),

per_doctor as (
    select
        doctor_id,
        count(*) as stays,
        count(distinct patient_id) as patients,
        cast(sum(length_of_stay_days) as bigint) as bed_days,
        cast(avg(length_of_stay_days) as double) as average_length_of_stay_days
    from stays
    group by doctor_id
)

select
    doctors.doctor_id,
    doctors.doctor_name,
    doctors.specialty,
    doctors.department,
    coalesce(per_doctor.stays, 0) as stays,
    coalesce(per_doctor.patients, 0) as patients,
    coalesce(per_doctor.bed_days, 0) as bed_days,
    per_doctor.average_length_of_stay_days,
    doctors.hospital_id,
    doctors.roster_role,
    doctors.attends_stays
from doctors
left join per_doctor
    on doctors.doctor_id = per_doctor.doctor_id
