-- The stays built from the feed's events (fct_encounters) equal the hospitalizations snapshot for every closed
-- stay whose events are all recorded: discharged at least var feed_lookback_days * 2 days before the last
-- recorded day (a late discharge and its correction have both arrived by then), and not before the feed's
-- first day. Clean stays only, whose feed messages are all usable (a stay with a quarantined time-zone shifted
-- event is left out: its feed record is incomplete by design). Both ways: such a stay missing from the feed, or
-- differing in any field the events carry, fails.
with feed_days as (
    select
        min(cast(recorded_at as date)) as first_day,
        max(cast(recorded_at as date)) as last_day
    from {{ ref('stg_encounter_events') }}
),

settled as (
    select hospitalizations.*
    from {{ ref('stg_hospitalizations') }} as hospitalizations
    cross join feed_days
    where
        hospitalizations.discharge_date >= feed_days.first_day
        and hospitalizations.discharge_date
        <= {{ dbt.dateadd('day', -2 * var('feed_lookback_days'), 'feed_days.last_day') }}
        and hospitalizations.hospitalization_id not in (
            select shifted.hospitalization_id from {{ ref('quarantine_encounter_events') }} as shifted
            where shifted.reason = 'timezone_shift'
        )
)

select
    settled.hospitalization_id,
    encounters.status
from settled
left join {{ ref('fct_encounters') }} as encounters
    on settled.hospitalization_id = encounters.hospitalization_id
where
    encounters.hospitalization_id is null
    or encounters.status != 'discharged'
    or encounters.admitted_at is null
    or encounters.admitted_at != settled.admitted_at
    or encounters.discharged_at != settled.discharged_at
    or encounters.patient_id != settled.patient_id
    or encounters.hospital_id != settled.hospital_id
    or encounters.admission_type != settled.admission_type
    or encounters.diagnosis_code != settled.diagnosis_code
    or encounters.doctor_id != settled.doctor_id
    or encounters.payer != settled.payer
    or encounters.discharge_disposition != settled.discharge_disposition
    or encounters.total_charges != settled.total_charges
