-- One row per patient seen by the feed: the payer of their latest register or coverage event (by the time it
-- took effect), and when it took effect. The source of the coverage snapshot (snapshots/).
with ranked as (
    select
        patient_id,
        payer,
        event_at,
        row_number() over (partition by patient_id order by event_at desc, recorded_at desc, event_id desc) as recency
    from {{ ref('stg_patient_events') }}
    where event_type in ('register', 'coverage')
)

select
    patient_id,
    payer,
    event_at as changed_at
from ranked
where recency = 1
