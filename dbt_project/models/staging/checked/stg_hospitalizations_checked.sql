-- Every delivered hospitalizations row, typed and cleaned (stg_hospitalizations_delivered), with the one defect
-- the rules find in it (null: none), whether it is quarantined, and whether it is usable in the marts. The
-- rules, in this order (docs/design/defects.md): duplicate_row (a later copy of a hospitalization_id; the
-- first copy wins), orphan_key (patient_id or doctor_id absent from every delivered patients or doctors row),
-- missing_value (admission_date, diagnosis_code or admission_type empty), discharge_before_admission,
-- impossible_value (negative charges), invalid_code (a diagnosis code outside the catalogue, model
-- diagnosis_codes), unit_slip (charges 100 times the charges the feed delivered for the stay's discharge: the
-- feed's value is used),
-- inconsistent_format (admission_type or admission_date written otherwise: cleaned). A stay without a defect
-- whose patient row is quarantined is held back from the marts (`held_back`), not an issue.
{{ config(materialized='table') }}

{#- a unit slip: the feed's value (the charges it delivered, in dollars) -#}
{%- set unit_slip_fixed -%}
    case when defect = 'unit_slip' then cast(total_charges / 100 as decimal(12, 2)) else total_charges end
{%- endset %}

with delivered as (
    select * from {{ ref('stg_hospitalizations_delivered') }}
),

patients as (
    select
        patient_id,
        max(case when delivered_copy = 1 and is_quarantined then 1 else 0 end) as quarantined
    from {{ ref('stg_patients_checked') }}
    group by patient_id
),

doctors as (
    select distinct {{ hospital_analytics.typed('doctor_id', 'bigint') }} as doctor_id
    from {{ source('raw', 'doctors') }}
),

codes as (
    select distinct cast(diagnosis_code as {{ dbt.type_string() }}) as diagnosis_code
    from {{ ref('diagnosis_codes') }}
),

-- the charges the feed delivered for each stay's discharge (the discharge message and its corrections; an
-- extra copy not counted; a time-zone shifted message counts, its charges are sound), times 100: a unit slip
feed_cents as (
    select distinct
        hospitalization_id,
        100 * total_charges as cents
    from {{ ref('stg_encounter_events_checked') }}
    where total_charges is not null and total_charges <> 0 and delivered_copy = 1
),

last_admission as (
    select max(admission_date) as admission_date
    from delivered
),

bounds as (
    select {{ hospital_analytics.window_end_date('last_admission.admission_date') }} as window_end
    from last_admission
),

checked as (
    select
        delivered.*,
        case
            when delivered.delivered_copy > 1 then 'duplicate_row'
            when patients.patient_id is null or doctors.doctor_id is null then 'orphan_key'
            when
                delivered.admission_date is null
                or delivered.diagnosis_code is null
                or delivered.admission_type is null
                then 'missing_value'
            when delivered.discharge_date < delivered.admission_date then 'discharge_before_admission'
            when delivered.total_charges < 0 then 'impossible_value'
            when codes.diagnosis_code is null then 'invalid_code'
            when feed_cents.cents is not null then 'unit_slip'
            when delivered.is_reformatted then 'inconsistent_format'
        end as defect,
        coalesce(patients.quarantined, 0) = 1 as patient_quarantined,
        bounds.window_end
    from delivered
    cross join bounds
    left join patients on delivered.patient_id = patients.patient_id
    left join doctors on delivered.doctor_id = doctors.doctor_id
    left join codes on delivered.diagnosis_code = codes.diagnosis_code
    left join feed_cents
        on
            delivered.hospitalization_id = feed_cents.hospitalization_id
            and delivered.total_charges = feed_cents.cents
)

select
    {{ hospital_analytics.select_list(
        hospital_analytics.staged_columns('hospitalizations'),
        computed={'total_charges': unit_slip_fixed},
    ) }},
    delivered_copy,
    defect,
    coalesce(defect in {{ hospital_analytics.quarantined_list() }}, false) as is_quarantined,
    not coalesce(defect in {{ hospital_analytics.quarantined_list() }}, false) and not patient_quarantined as is_usable,
    case
        when coalesce(defect in {{ hospital_analytics.quarantined_list() }}, false) then defect
        when patient_quarantined then 'held_back'
    end as quarantine_reason,
    cast(hospitalization_id as {{ dbt.type_string() }}) as record_key,
    window_end as issue_date
from checked
