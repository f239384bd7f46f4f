-- One row per coverage spell of a patient, [valid_from, valid_to); valid_to is null for the current spell.
with source as (
    select * from {{ source('raw', 'coverage_history') }}
)

select
    cast(patient_id as bigint) as patient_id,
    trim(cast(payer as {{ dbt.type_string() }})) as payer,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to
from source
-- clean patients only: the spells of a quarantined patient row are left out with it
where cast(patient_id as bigint) in (select clean.patient_id from {{ ref('stg_patients') }} as clean)
