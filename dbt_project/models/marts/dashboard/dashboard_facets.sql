-- The dashboard's breakdowns of stays, at the grain of dashboard_segments plus one more attribute (a facet):
-- length of stay in days, weekday of admission, weekday of discharge (ISO: 1 Monday .. 7 Sunday) and the
-- principal diagnosis (length of stay and weekday of discharge: the discharged stays only). Bounded by
-- months x segments x facet values, whatever the number of stays.
with stays as (
    select * from {{ ref('fct_hospitalizations') }}
),

faceted as (
    select
        admission_month,
        patient_gender,
        age_group,
        diagnosis_category,
        admission_type,
        'length_of_stay' as facet,
        cast(length_of_stay_days as {{ dbt.type_string() }}) as facet_value,
        cast(null as {{ dbt.type_string() }}) as facet_label,
        length_of_stay_days
    from stays
    where is_discharged
    union all
    select
        admission_month,
        patient_gender,
        age_group,
        diagnosis_category,
        admission_type,
        'admission_weekday' as facet,
        cast({{ hospital_analytics.day_of_week('admission_date') }} as {{ dbt.type_string() }}) as facet_value,
        cast(null as {{ dbt.type_string() }}) as facet_label,
        length_of_stay_days
    from stays
    union all
    select
        admission_month,
        patient_gender,
        age_group,
        diagnosis_category,
        admission_type,
        'discharge_weekday' as facet,
        cast({{ hospital_analytics.day_of_week('discharge_date') }} as {{ dbt.type_string() }}) as facet_value,
        cast(null as {{ dbt.type_string() }}) as facet_label,
        length_of_stay_days
    from stays
    where discharge_date is not null
    union all
    select
        admission_month,
        patient_gender,
        age_group,
        diagnosis_category,
        admission_type,
        'diagnosis' as facet,
        diagnosis_code as facet_value,
        diagnosis_description as facet_label,
        length_of_stay_days
    from stays
)

select
    admission_month as month,  -- noqa: RF04
    patient_gender,
    age_group,
    diagnosis_category,
    admission_type,
    facet,
    facet_value,
    max(facet_label) as facet_label,
    cast(count(*) as bigint) as stays,
    cast(coalesce(sum(length_of_stay_days), 0) as bigint) as bed_days
from faceted
group by admission_month, patient_gender, age_group, diagnosis_category, admission_type, facet, facet_value
