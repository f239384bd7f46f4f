-- Every delivered patients row, typed and cleaned (macros/data_quality.sql), with the one defect the rules find
-- in it (null: none) and whether it is quarantined. The rules, in this order (docs/design/defects.md):
-- duplicate_row (a later copy of a patient_id), duplicate_patient (a later registration of a patient delivered
-- already: same last name, gender and ZIP code, and first name equal with birth dates one day apart, or birth
-- date equal with two adjacent letters of the first name swapped; it has no stay; the lower id wins),
-- missing_value (gender or birth_date empty), impossible_value (born after the window's last day or more than
-- 120 years before it), inconsistent_format (gender not F/M, a name padded or in one case, birth_date as
-- MM/DD/YYYY: cleaned, kept).
{{ config(materialized='table') }}

with source as (
    select * from {{ source('raw', 'patients') }}
),

typed as (
    select
        {{ hospital_analytics.typed('patient_id', 'bigint') }} as patient_id,
        {{ hospital_analytics.clean_name('first_name') }} as first_name,
        {{ hospital_analytics.clean_name('last_name') }} as last_name,
        {{ hospital_analytics.clean_gender('gender') }} as gender,
        {{ hospital_analytics.typed_date('birth_date') }} as birth_date,
        {{ hospital_analytics.typed_text('city') }} as city,
        {{ hospital_analytics.typed_text('state') }} as state,
        trim({{ hospital_analytics.typed_text('insurance') }}) as insurance,
        {{ hospital_analytics.typed_text('zip_code') }} as zip_code,
        {{ hospital_analytics.typed_text('county') }} as county,
        {{ hospital_analytics.typed('home_hospital_id', 'bigint') }} as home_hospital_id,
        {{ hospital_analytics.typed_date('death_date') }} as death_date,
        (
            coalesce(trim(cast(gender as {{ dbt.type_string() }})) not in ('F', 'M'), false)
            or {{ hospital_analytics.name_reformatted('first_name') }}
            or {{ hospital_analytics.name_reformatted('last_name') }}
            or {{ hospital_analytics.is_us_date('birth_date') }}
        ) as is_reformatted,
        row_number() over (
            partition by {{ hospital_analytics.typed('patient_id', 'bigint') }} order by patient_id
        ) as delivered_copy
    from source
),

firsts as (
    select * from typed
    where delivered_copy = 1
),

with_stays as (
    select distinct patient_id
    from {{ ref('stg_hospitalizations_delivered') }}
),

registrations as (
    select
        firsts.patient_id,
        lower(firsts.first_name) as first_key,
        lower(firsts.last_name) as last_key,
        firsts.gender,
        firsts.zip_code,
        firsts.birth_date,
        with_stays.patient_id is not null as has_stays
    from firsts
    left join with_stays on firsts.patient_id = with_stays.patient_id
),

-- a later registration (higher id, no stay) of an earlier patient: the pair, lower id first
pairs as (
    select
        original.patient_id as original_id,
        later.patient_id as duplicate_id
    from registrations as later
    inner join registrations as original
        on
            later.last_key = original.last_key
            and later.gender = original.gender
            and later.zip_code = original.zip_code
            and later.patient_id > original.patient_id
    where
        not later.has_stays
        and (
            (
                later.first_key = original.first_key
                and abs({{ hospital_analytics.days_between('original.birth_date', 'later.birth_date') }}) = 1
            )
            or (
                later.birth_date = original.birth_date
                and {{ hospital_analytics.is_adjacent_transposition('original.first_key', 'later.first_key') }}
            )
        )
),

duplicates as (
    select
        duplicate_id,
        min(original_id) as original_id
    from pairs
    group by duplicate_id
),

last_admission as (
    select max(admission_date) as admission_date
    from {{ ref('stg_hospitalizations_delivered') }}
),

bounds as (
    select {{ hospital_analytics.window_end_date('last_admission.admission_date') }} as window_end
    from last_admission
),

checked as (
    select
        typed.*,
        duplicates.original_id as duplicate_of,
        case
            when typed.delivered_copy > 1 then 'duplicate_row'
            when duplicates.duplicate_id is not null then 'duplicate_patient'
            when typed.gender is null or typed.birth_date is null then 'missing_value'
            when
                typed.birth_date > bounds.window_end
                or {{ hospital_analytics.age_in_years('typed.birth_date', 'bounds.window_end') }} > 120
                then 'impossible_value'
            when typed.is_reformatted then 'inconsistent_format'
        end as defect,
        bounds.window_end
    from typed
    cross join bounds
    left join duplicates
        on typed.patient_id = duplicates.duplicate_id and typed.delivered_copy = 1
)

select
    {{ hospital_analytics.select_list(
        hospital_analytics.staged_columns('patients'),
        computed={'patient_name': "first_name || ' ' || last_name"},
    ) }},
    delivered_copy,
    duplicate_of,
    defect,
    coalesce(defect in {{ hospital_analytics.quarantined_list() }}, false) as is_quarantined,
    {{ hospital_analytics.patient_record_key('defect', 'duplicate_of', 'patient_id') }} as record_key,
    window_end as issue_date
from checked
