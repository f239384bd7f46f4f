"""The raw tables' columns and types: the contract between generate (files) and load (warehouse tables).

Types are warehouse-neutral SQL names understood by DuckDB and Snowflake alike. Generate writes the
columns in this order; load creates the RAW tables from this list (no auto-detection).
"""

from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    name: str
    sql_type: str  # BIGINT, INTEGER, VARCHAR, DATE, TIMESTAMP, BOOLEAN, DOUBLE, DECIMAL(12,2)
    description: str
    nullable: bool = False  # True only where the value is unknown yet (an open stay, a living patient)


RAW_COLUMNS: dict[str, tuple[Column, ...]] = {
    "patients": (
        Column("patient_id", "BIGINT", "Patient identifier, 1..N."),
        Column("first_name", "VARCHAR", "Given name (Faker pool for the locale)."),
        Column("last_name", "VARCHAR", "Family name."),
        Column("gender", "VARCHAR", "F or M."),
        Column("birth_date", "DATE", "Date of birth."),
        Column("city", "VARCHAR", "City of residence."),
        Column("state", "VARCHAR", "State or region of residence."),
        Column("insurance", "VARCHAR", "Current primary payer: Medicare, Medicaid, Private, Other, Self-pay."),
        Column("zip_code", "VARCHAR", "Home ZIP code (real, in the home hospital's catchment)."),
        Column("county", "VARCHAR", "County of the home ZIP code."),
        Column("home_hospital_id", "BIGINT", "The hospital whose catchment the patient lives in."),
        Column("death_date", "DATE", "Day of death in hospital; empty while alive.", nullable=True),
    ),
    "doctors": (
        Column("doctor_id", "BIGINT", "Doctor identifier, 1..N."),
        Column("first_name", "VARCHAR", "Given name."),
        Column("last_name", "VARCHAR", "Family name."),
        Column("gender", "VARCHAR", "F or M."),
        Column("specialty", "VARCHAR", "Medical specialty (AAMC categories)."),
        Column("department", "VARCHAR", "Hospital department the specialty works in."),
        Column("hospital_id", "BIGINT", "The hospital the doctor works at."),
        Column("role", "VARCHAR", "Roster role: Hospitalist, Surgeon, Obstetrician, Intensivist, ..."),
        Column("attends_stays", "BOOLEAN", "True when the role attends stays (anaesthesia, radiology do not)."),
    ),
    "hospitalizations": (
        Column("hospitalization_id", "BIGINT", "Stay identifier, 1..N in admission order."),
        Column("patient_id", "BIGINT", "The patient (patients.patient_id)."),
        Column("doctor_id", "BIGINT", "Attending doctor (doctors.doctor_id)."),
        Column("admission_date", "DATE", "Day of admission."),
        Column("discharge_date", "DATE", "Day of discharge (on or after admission); empty while open.", nullable=True),
        Column("length_of_stay_days", "INTEGER", "discharge_date - admission_date, in days.", nullable=True),
        Column("admission_type", "VARCHAR", "Emergency, Urgent, Elective or Newborn."),
        Column("stay_type", "VARCHAR", "Medical, Surgical or Maternal/Neonatal (HCUP)."),
        Column("diagnosis_code", "VARCHAR", "Principal diagnosis, ICD-10-CM."),
        Column("diagnosis_description", "VARCHAR", "Principal diagnosis, in words."),
        Column("diagnosis_category", "VARCHAR", "Clinical category of the diagnosis."),
        Column(
            "discharge_disposition",
            "VARCHAR",
            "Home, Home health care, Skilled nursing facility, Rehabilitation facility, Transfer to another hospital, "
            "Left against medical advice or Died.",
            nullable=True,
        ),
        Column("total_charges", "DECIMAL(12,2)", "Total charges billed, USD; empty while open.", nullable=True),
        Column("hospital_id", "BIGINT", "The hospital (hospitals.hospital_id)."),
        Column("admitted_at", "TIMESTAMP", "Admission date and time of day."),
        Column("discharged_at", "TIMESTAMP", "Discharge date and time of day; empty while open.", nullable=True),
        Column("payer", "VARCHAR", "Primary payer at admission (coverage_history as of admission_date)."),
    ),
    "admissions_by_month": (
        Column("month", "VARCHAR", "Calendar month of admission, YYYY-MM."),
        Column("admissions", "BIGINT", "Stays admitted that month."),
        Column("distinct_patients", "BIGINT", "Distinct patients admitted that month."),
        Column("total_length_of_stay_days", "BIGINT", "Sum of length_of_stay_days of those stays."),
        Column("average_length_of_stay_days", "DOUBLE", "Mean length of stay of those stays, 2 decimals."),
    ),
    "hospitals": (
        Column("hospital_id", "BIGINT", "Hospital identifier, 1..H."),
        Column("hospital_name", "VARCHAR", "Name (invented, after its real town or county)."),
        Column("city", "VARCHAR", "Real US city the hospital is in."),
        Column("county", "VARCHAR", "County."),
        Column("state", "VARCHAR", "State (two-letter code)."),
        Column("zip_code", "VARCHAR", "ZIP code of the site."),
        Column("latitude", "DOUBLE", "Latitude of the ZIP code."),
        Column("longitude", "DOUBLE", "Longitude of the ZIP code."),
        Column("beds", "INTEGER", "Staffed beds, the sum of its units' beds."),
        Column("bed_size_class", "VARCHAR", "AHA bed-size class, e.g. 100-199."),
    ),
    "units": (
        Column("unit_id", "BIGINT", "Unit identifier, unique across the system."),
        Column("hospital_id", "BIGINT", "The hospital (hospitals.hospital_id)."),
        Column("unit_code", "VARCHAR", "MEDSURG, ICU, STEPDOWN, MATERNITY, NURSERY, NICU, PEDS or PSYCH."),
        Column("unit_name", "VARCHAR", "The unit in words."),
        Column("beds", "INTEGER", "Staffed beds; the midnight census never exceeds it."),
    ),
    "bed_movements": (
        Column("movement_id", "BIGINT", "Movement identifier, in (hospitalization_id, sequence) order."),
        Column("hospitalization_id", "BIGINT", "The stay (hospitalizations.hospitalization_id)."),
        Column("sequence", "INTEGER", "1 for the first unit of the stay, then 2, 3, ..."),
        Column("unit_id", "BIGINT", "The unit (units.unit_id)."),
        Column("started_at", "TIMESTAMP", "When the patient entered the unit."),
        Column("ended_at", "TIMESTAMP", "When the patient left it; empty while still there.", nullable=True),
    ),
    "coverage_history": (
        Column("patient_id", "BIGINT", "The patient (patients.patient_id)."),
        Column("payer", "VARCHAR", "Primary payer during the spell."),
        Column("valid_from", "DATE", "First day of the spell."),
        Column(
            "valid_to",
            "DATE",
            "Day after the spell's last day (the next spell's valid_from); empty if current.",
            nullable=True,
        ),
    ),
    "births": (
        Column("newborn_patient_id", "BIGINT", "The newborn (patients.patient_id)."),
        Column("newborn_hospitalization_id", "BIGINT", "The newborn's birth stay."),
        Column("mother_patient_id", "BIGINT", "The mother (patients.patient_id)."),
        Column("delivery_hospitalization_id", "BIGINT", "The mother's delivery stay, same hospital."),
        Column("birth_date", "DATE", "Day of birth: the admission date of both stays."),
        Column("delivery_method", "VARCHAR", "Vaginal or Cesarean (matches both stays' codes)."),
        Column("plurality", "INTEGER", "1 for a single birth, 2 for twins."),
    ),
    "capacity_events": (
        Column("capacity_event_id", "BIGINT", "Event identifier, in time order."),
        Column("hospital_id", "BIGINT", "The hospital (hospitals.hospital_id)."),
        Column("unit_id", "BIGINT", "The unit that was full (units.unit_id)."),
        Column("event_date", "DATE", "Day it happened."),
        Column("event_type", "VARCHAR", "Elective postponed, Emergency diverted or Transfer held."),
        Column("patient_id", "BIGINT", "The patient affected.", nullable=True),
    ),
}


# The daily feed (issue 14, docs/design/feed.md): one partition per day the source system RECORDED events,
# data/feed/<table>/date=YYYY-MM-DD/<table>_YYYY-MM-DD.{csv,parquet}. Load appends them (never replaces).
FEED_COLUMNS: dict[str, tuple[Column, ...]] = {
    "encounter_events": (
        Column("event_id", "BIGINT", "Event identifier: hospitalization_id * 100 + the event's code (feed.md)."),
        Column("event_type", "VARCHAR", "admit, transfer, discharge, cancel or correct."),
        Column("hl7_event", "VARCHAR", "The HL7 v2 ADT trigger: A01, A02, A03, A11, A12, A13 or A08."),
        Column("hospitalization_id", "BIGINT", "The stay (hospitalizations.hospitalization_id)."),
        Column("patient_id", "BIGINT", "The patient (patients.patient_id)."),
        Column("hospital_id", "BIGINT", "The hospital (hospitals.hospital_id)."),
        Column("unit_id", "BIGINT", "The unit after the event (admit: first unit; transfer: new unit).", nullable=True),
        Column("from_unit_id", "BIGINT", "Transfer: the unit left.", nullable=True),
        Column("event_at", "TIMESTAMP", "When it happened (cancel/correct: the time of the event they amend)."),
        Column("recorded_at", "TIMESTAMP", "When the source system recorded it; its date is the partition."),
        Column("refers_to_event_id", "BIGINT", "cancel/correct: the event_id it cancels or amends.", nullable=True),
        Column("admission_type", "VARCHAR", "admit: Emergency, Urgent, Elective or Newborn.", nullable=True),
        Column("diagnosis_code", "VARCHAR", "admit: principal diagnosis, ICD-10-CM.", nullable=True),
        Column("doctor_id", "BIGINT", "admit: attending doctor.", nullable=True),
        Column("payer", "VARCHAR", "admit: primary payer at admission.", nullable=True),
        Column("discharge_disposition", "VARCHAR", "discharge: as in hospitalizations.", nullable=True),
        Column("total_charges", "DECIMAL(12,2)", "discharge: total charges billed, USD.", nullable=True),
    ),
    "patient_events": (
        Column("event_id", "BIGINT", "Event identifier, unique in this table (feed.md)."),
        Column("event_type", "VARCHAR", "register (first seen), address (moved) or coverage (payer changed)."),
        Column("hl7_event", "VARCHAR", "A04 (register) or A08 (update patient information)."),
        Column("patient_id", "BIGINT", "The patient (patients.patient_id)."),
        Column("event_at", "TIMESTAMP", "When the change took effect."),
        Column("recorded_at", "TIMESTAMP", "When the source system recorded it; its date is the partition."),
        Column("city", "VARCHAR", "Address after the event."),
        Column("state", "VARCHAR", "State after the event."),
        Column("zip_code", "VARCHAR", "ZIP code after the event."),
        Column("county", "VARCHAR", "County after the event."),
        Column("payer", "VARCHAR", "Primary payer after the event."),
    ),
}


def column_names(table: str) -> list[str]:
    """Column names of a raw table, in file order."""
    return [column.name for column in RAW_COLUMNS[table]]


# Issue 15 (docs/design/defects.md): data generated with defects is delivered as text. The manifest then says
# ``"raw_text": true`` and load creates every raw column (snapshot and feed tables) as nullable VARCHAR, so
# that no defect (a date as MM/DD/YYYY, an empty required field) stops a load; dbt's staging types and cleans.
TEXT_TYPE = "VARCHAR"

# The ground truth of the injected defects (data/defects.csv), loaded as RAW.defects_ledger with raw text.
DEFECTS_LEDGER_TABLE = "defects_ledger"
DEFECTS_LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("table_name", "VARCHAR", "The table the defect was injected into."),
    Column("record_key", "VARCHAR", "The natural key of the affected row (a pair: 'original|duplicate')."),
    Column("defect", "VARCHAR", "The defect class (docs/design/defects.md)."),
)


def as_text(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The same columns as the raw text layer holds them: VARCHAR and nullable."""
    return tuple(c._replace(sql_type=TEXT_TYPE, nullable=True) for c in columns)


def load_columns(columns: tuple[Column, ...], raw_text: bool) -> tuple[Column, ...]:
    """The columns load creates: schema.py's typed ones, or all text (``as_text``) for data with defects."""
    return as_text(columns) if raw_text else columns
