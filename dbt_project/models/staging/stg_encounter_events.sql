-- One row per ADT message of the daily feed, as recorded (originals, corrections and cancels), typed.
with source as (
    select * from {{ source('raw', 'encounter_events') }}
)

select
    cast(event_id as bigint) as event_id,
    cast(event_type as {{ dbt.type_string() }}) as event_type,
    cast(hl7_event as {{ dbt.type_string() }}) as hl7_event,
    cast(hospitalization_id as bigint) as hospitalization_id,
    cast(patient_id as bigint) as patient_id,
    cast(hospital_id as bigint) as hospital_id,
    cast(unit_id as bigint) as unit_id,
    cast(from_unit_id as bigint) as from_unit_id,
    cast(event_at as timestamp) as event_at,
    cast(recorded_at as timestamp) as recorded_at,
    cast(refers_to_event_id as bigint) as refers_to_event_id,
    cast(admission_type as {{ dbt.type_string() }}) as admission_type,
    cast(diagnosis_code as {{ dbt.type_string() }}) as diagnosis_code,
    cast(doctor_id as bigint) as doctor_id,
    cast(payer as {{ dbt.type_string() }}) as payer,
    cast(discharge_disposition as {{ dbt.type_string() }}) as discharge_disposition,
    cast(total_charges as decimal(12, 2)) as total_charges,
    cast(_source_file as {{ dbt.type_string() }}) as source_file
from source
