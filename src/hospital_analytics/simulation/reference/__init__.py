"""Reference data of real US hospitals: what the simulation reads and the published figures it is checked against.

Modules (each small, data only, no random draws; import of the whole package is fast and needs no pandas):

- ``types``: the frozen dataclasses (Diagnosis, WeekdayProfile, HourProfile, UnitKind, Role, Target, ...).
- ``ages``: the age bands of every per-age table.
- ``sources``: the publications behind every number (``Source`` by key).
- ``timing``: weekday factors, hour-of-day profiles, US federal holidays.
- ``seasons``: monthly seasonality curves.
- ``diagnoses``: the ICD-10-CM principal-diagnosis catalogue (``diagnoses.tsv``) with frequencies, length
  of stay, mortality, unit path, readmission and charges per code.
- ``hospitals``: bed-size distribution, unit kinds and mix, occupancy, admissions per bed, names.
- ``places``: real US ZIP codes, cities, counties (offline ``zipcodes`` package), hospital sites, catchments.
- ``payers``: payer at first contact by age, Medicare at 65, Medicaid churn, other transitions.
- ``outcomes``: discharge dispositions by age and diagnosis group.
- ``revisits``: 30-day readmission rates and timing, stays per patient per year.
- ``births``: cesarean share, newborn length of stay, NICU share, twins.
- ``staffing``: physician roles, census per physician, rotations, gender shares.
- ``targets``: every published target, machine-readable (the fidelity table and docs/calibration.md share it).
"""
