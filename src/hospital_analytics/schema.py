"""The raw tables' columns and types: the contract between generate (files) and load (warehouse tables).

Types are warehouse-neutral SQL names understood by DuckDB and Snowflake alike. Generate writes the
columns in this order; load creates the RAW tables from this list (no auto-detection).
"""

from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    name: str
    sql_type: str  # BIGINT, INTEGER, VARCHAR, DATE, DOUBLE, DECIMAL(12,2)
    description: str


RAW_COLUMNS: dict[str, tuple[Column, ...]] = {
    "patients": (
        Column("patient_id", "BIGINT", "Patient identifier, 1..N."),
        Column("first_name", "VARCHAR", "Given name (Faker pool for the locale)."),
        Column("last_name", "VARCHAR", "Family name."),
        Column("gender", "VARCHAR", "F or M."),
        Column("birth_date", "DATE", "Date of birth."),
        Column("city", "VARCHAR", "City of residence."),
        Column("state", "VARCHAR", "State or region of residence."),
        Column("insurance", "VARCHAR", "Primary payer: Medicare, Medicaid, Private, Self-pay."),
    ),
    "doctors": (
        Column("doctor_id", "BIGINT", "Doctor identifier, 1..N."),
        Column("first_name", "VARCHAR", "Given name."),
        Column("last_name", "VARCHAR", "Family name."),
        Column("gender", "VARCHAR", "F or M."),
        Column("specialty", "VARCHAR", "Medical specialty (AAMC categories)."),
        Column("department", "VARCHAR", "Hospital department the specialty works in."),
    ),
    "hospitalizations": (
        Column("hospitalization_id", "BIGINT", "Stay identifier, 1..N in admission order."),
        Column("patient_id", "BIGINT", "The patient (patients.patient_id)."),
        Column("doctor_id", "BIGINT", "Attending doctor (doctors.doctor_id)."),
        Column("admission_date", "DATE", "Day of admission."),
        Column("discharge_date", "DATE", "Day of discharge (on or after admission)."),
        Column("length_of_stay_days", "INTEGER", "discharge_date - admission_date, in days."),
        Column("admission_type", "VARCHAR", "Emergency, Urgent, Elective or Newborn."),
        Column("stay_type", "VARCHAR", "Medical, Surgical or Maternal/Neonatal (HCUP)."),
        Column("diagnosis_code", "VARCHAR", "Principal diagnosis, ICD-10-CM."),
        Column("diagnosis_description", "VARCHAR", "Principal diagnosis, in words."),
        Column("diagnosis_category", "VARCHAR", "Clinical category of the diagnosis."),
        Column("discharge_disposition", "VARCHAR", "Home, Home health, Skilled nursing, Transfer, Died, ..."),
        Column("total_charges", "DECIMAL(12,2)", "Total charges billed, USD."),
    ),
    "admissions_by_month": (
        Column("month", "VARCHAR", "Calendar month of admission, YYYY-MM."),
        Column("admissions", "BIGINT", "Stays admitted that month."),
        Column("distinct_patients", "BIGINT", "Distinct patients admitted that month."),
        Column("total_length_of_stay_days", "BIGINT", "Sum of length_of_stay_days of those stays."),
        Column("average_length_of_stay_days", "DOUBLE", "Mean length of stay of those stays, 2 decimals."),
    ),
}


def column_names(table: str) -> list[str]:
    """Column names of a raw table, in file order."""
    return [column.name for column in RAW_COLUMNS[table]]
