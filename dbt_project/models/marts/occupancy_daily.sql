-- One row per unit and day of the window: staffed beds, the midnight census from bed_movements (patients in
-- the unit overnight: date(started_at) <= day < date(ended_at), or still there) and occupancy.
with movements as (
    select
        unit_id,
        cast(started_at as date) as first_day,
        cast(ended_at as date) as end_day
    from {{ ref('stg_bed_movements') }}
),

units as (
    select
        units.unit_id,
        units.hospital_id,
        hospitals.hospital_name,
        units.unit_code,
        units.unit_name,
        units.beds
    from {{ ref('stg_units') }} as units
    inner join {{ ref('stg_hospitals') }} as hospitals
        on units.hospital_id = hospitals.hospital_id
),

bounds as (
    select
        window_start,
        window_end
    from {{ ref('int_window') }}
),

spine as (
    {{ hospital_analytics.date_spine('bounds', 'window_start', 'window_end') }}
),

-- +1 on the first census day, -1 on the first day after; days before the window fold into its first day.
deltas as (
    select
        movements.unit_id,
        case
            when movements.first_day < bounds.window_start then bounds.window_start else movements.first_day
        end as delta_date,
        1 as delta
    from movements
    cross join bounds
    union all
    select
        movements.unit_id,
        case
            when movements.end_day < bounds.window_start then bounds.window_start else movements.end_day
        end as delta_date,
        -1 as delta
    from movements
    cross join bounds
    where movements.end_day is not null
),

daily_deltas as (
    select
        unit_id,
        delta_date,
        sum(delta) as delta
    from deltas
    group by unit_id, delta_date
),

grid as (
    select
        spine.date_day,
        units.unit_id,
        coalesce(daily_deltas.delta, 0) as delta
    from spine
    cross join units
    left join daily_deltas
        on
            units.unit_id = daily_deltas.unit_id
            and spine.date_day = daily_deltas.delta_date
),

census as (
    select
        date_day,
        unit_id,
        sum(delta) over (
            partition by unit_id order by date_day rows between unbounded preceding and current row
        ) as patients
    from grid
)

select
    census.date_day as census_date,
    units.hospital_id,
    units.hospital_name,
    units.unit_id,
    units.unit_code,
    units.unit_name,
    units.beds,
    cast(census.patients as bigint) as patients,
    cast(census.patients as double) / cast(units.beds as double) as occupancy_rate
from census
inner join units
    on census.unit_id = units.unit_id
