-- One row per stay admitted in the window: when the same patient came back next, and whether that was a 30-day
-- readmission. A stay still open has no discharge (month) and is never an index stay.
with sequenced as (
    select * from {{ ref('int_stays_sequenced') }}
),

window_stays as (
    select hospitalization_id
    from {{ ref('int_stays') }}
    where admitted_in_window
)

select
    sequenced.hospitalization_id,
    sequenced.patient_id,
    sequenced.admission_date,
    sequenced.discharge_date,
    {{ hospital_analytics.month_start('sequenced.discharge_date') }} as discharge_month,
    sequenced.next_admission_date,
    sequenced.days_to_next_admission,
    sequenced.readmitted_within_30d
from sequenced
inner join window_stays
    on sequenced.hospitalization_id = window_stays.hospitalization_id
