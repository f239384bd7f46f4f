-- One row per stretch of a stay in one unit, [started_at, ended_at); ended_at is null while the patient is there.
with source as (
    select * from {{ source('raw', 'bed_movements') }}
)

select
    cast(movement_id as bigint) as movement_id,
    cast(hospitalization_id as bigint) as hospitalization_id,
    cast(sequence as integer) as movement_sequence,
    cast(unit_id as bigint) as unit_id,
    cast(started_at as timestamp) as started_at,
    cast(ended_at as timestamp) as ended_at
from source
-- clean stays only: the movements of a quarantined or held-back stay are left out with it
where cast(hospitalization_id as bigint) in (
    select clean.hospitalization_id from {{ ref('stg_hospitalizations') }} as clean
)
