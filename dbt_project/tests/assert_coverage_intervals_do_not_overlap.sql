-- A patient's coverage spells [valid_from, valid_to) never overlap: each ends after it starts, the next one
-- starts on or after its end, only the last may be open (valid_to null); the open one's payer is the patient's
-- current insurance.
with spells as (
    select
        patient_id,
        payer,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by patient_id order by valid_from) as next_valid_from
    from {{ ref('stg_coverage_history') }}
),

patients as (
    select
        patient_id,
        insurance
    from {{ ref('stg_patients') }}
)

select
    spells.patient_id,
    spells.payer,
    spells.valid_from,
    spells.valid_to,
    spells.next_valid_from
from spells
left join patients
    on spells.patient_id = patients.patient_id
where
    spells.valid_to <= spells.valid_from
    or (spells.next_valid_from is not null and (spells.valid_to is null or spells.next_valid_from < spells.valid_to))
    or (spells.valid_to is null and spells.payer <> patients.insurance)
