-- One row: the analysis window. Starts on var window_start (the settings' start date), else on the first
-- admission; ends on var window_end (the settings' end date), else on the last day of the month of the latest
-- admission. Stays admitted before window_start are those already in house on its first day.
select
    min(admission_date) as first_admission_date,
    max(admission_date) as last_admission_date,
    {{ hospital_analytics.window_start_date('min(admission_date)') }} as window_start,
    {{ hospital_analytics.window_end_date('max(admission_date)') }} as window_end
from {{ ref('stg_hospitalizations') }}
