"""Every published figure the generated data is checked against, machine-readable.

The fidelity table (owned by the simulation) reads ``TARGETS`` by name, and ``docs/calibration.md`` lists
each target with its name and source key; a test keeps the two in step. ``low``/``high`` is the accepted
range: the published figure with a tolerance for sampling noise and for the years between the source and
now (a wider range is explained in ``note``).
"""

from __future__ import annotations

from .types import Target


def _t(
    name: str, topic: str, value: float | None, low: float, high: float, unit: str, source: str, note: str = ""
) -> Target:
    return Target(name, topic, value, low, high, unit, source, note)


TARGETS: tuple[Target, ...] = (
    # --- stays ---------------------------------------------------------------------------------------------
    _t(
        "mean_los_days",
        "stays",
        4.6,
        4.5,
        4.8,
        "days",
        "hcup_sb180",
        "4.5 d in 2012 (SB #180), 4.6 d in 2011 (SB #166)",
    ),
    _t("stay_type_medical", "stays", 0.56, 0.53, 0.59, "share", "hcup_sb180"),
    _t("stay_type_surgical", "stays", 0.218, 0.19, 0.25, "share", "hcup_sb180"),
    _t("stay_type_maternal_neonatal", "stays", 0.222, 0.20, 0.245, "share", "hcup_sb180"),
    _t("age_share_under_1", "stays", 0.12, 0.10, 0.14, "share", "hcup_ff_2006"),
    _t("age_share_1_17", "stays", 0.04, 0.025, 0.055, "share", "hcup_ff_2006"),
    _t("age_share_18_44", "stays", 0.26, 0.22, 0.29, "share", "hcup_ff_2006"),
    _t("age_share_45_64", "stays", 0.23, 0.20, 0.26, "share", "hcup_ff_2006"),
    _t("age_share_65_84", "stays", 0.27, 0.24, 0.31, "share", "hcup_ff_2006", "the population has aged since 2006"),
    _t("age_share_85_plus", "stays", 0.08, 0.06, 0.10, "share", "hcup_ff_2006"),
    _t("female_share", "stays", 0.59, 0.55, 0.61, "share", "hcup_sb87", "41% of 2007 stays were male"),
    _t(
        "elective_share",
        "stays",
        0.246,
        0.16,
        0.26,
        "share",
        "hcup_sb87",
        "24.6% in 2007; elective surgery has moved to outpatient settings since (lower bound an assumption)",
    ),
    _t(
        "mean_charges_usd",
        "stays",
        45_000,
        38_000,
        55_000,
        "usd",
        "hcup_sb180",
        "mean cost $10,400 (2012) times charge-to-cost ~3.5 and price growth to the late 2010s: an assumption",
    ),
    # top principal diagnoses: share of all stays (HCUP Fast Stats 2017, 35.8M stays), +/-25%
    _t("share_liveborn", "diagnoses", 3.693 / 35.8, 0.08, 0.13, "share", "hcup_faststats_2017"),
    _t("share_septicemia", "diagnoses", 2.086 / 35.8, 0.044, 0.073, "share", "hcup_faststats_2017"),
    _t("share_osteoarthritis", "diagnoses", 1.249 / 35.8, 0.026, 0.044, "share", "hcup_faststats_2017"),
    _t("share_heart_failure", "diagnoses", 1.091 / 35.8, 0.023, 0.038, "share", "hcup_faststats_2017"),
    _t("share_copd", "diagnoses", 0.761 / 35.8, 0.016, 0.027, "share", "hcup_faststats_2017"),
    _t("share_ami", "diagnoses", 0.662 / 35.8, 0.014, 0.023, "share", "hcup_faststats_2017"),
    _t("share_diabetes_complication", "diagnoses", 0.658 / 35.8, 0.014, 0.023, "share", "hcup_faststats_2017"),
    _t("share_pneumonia", "diagnoses", 0.637 / 35.8, 0.013, 0.022, "share", "hcup_faststats_2017"),
    _t("share_dysrhythmias", "diagnoses", 0.613 / 35.8, 0.013, 0.022, "share", "hcup_faststats_2017"),
    _t("los_heart_failure_days", "diagnoses", 5.3, 5.0, 5.6, "days", "chen_jacc_2013", "5.4 d in 2018 (esc_hf_2022)"),
    _t(
        "los_septicemia_days",
        "diagnoses",
        7.0,
        6.0,
        8.5,
        "days",
        "nchs_db62",
        "septicemia stays run longest of the common conditions; 5.9-6.7 d for any sepsis (elfeky_2017)",
    ),
    # --- mortality -------------------------------------------------------------------------------------------
    _t(
        "in_hospital_mortality",
        "mortality",
        0.02,
        0.018,
        0.024,
        "share",
        "nchs_db118",
        "2% in 2000 and 2010 (NHDS); 1.9% in 2007 (SB #87); 2% in 2008 (HCUP Facts and Figures)",
    ),
    _t(
        "mortality_septicemia",
        "mortality",
        0.15,
        0.12,
        0.17,
        "share",
        "nchs_db62",
        "17% (2008), 16% (2010, DB 118), 13.8% (2012)",
    ),
    _t(
        "mortality_heart_failure",
        "mortality",
        0.03,
        0.026,
        0.034,
        "share",
        "chen_jacc_2013",
        "3.3% (2009); 2.6% (2018)",
    ),
    _t(
        "mortality_ami",
        "mortality",
        0.0559,
        0.035,
        0.06,
        "share",
        "hcup_sb194",
        "55.9 per 1,000 in 2012, still falling",
    ),
    _t("mortality_pneumonia", "mortality", 0.0358, 0.026, 0.04, "share", "hcup_sb194"),
    _t("mortality_stroke", "mortality", 0.0826, 0.06, 0.09, "share", "hcup_sb194", "ischaemic and haemorrhagic"),
    _t("deaths_share_85_plus", "mortality", 0.25, 0.21, 0.31, "share", "nchs_db118"),
    # --- outcomes (discharge status) -----------------------------------------------------------------------------
    _t("disposition_home", "outcomes", 0.72, 0.68, 0.76, "share", "hcup_ff_2008"),
    _t(
        "disposition_post_acute_facility",
        "outcomes",
        0.13,
        0.10,
        0.16,
        "share",
        "hcup_ff_2008",
        "SNF, rehab, other long-term care",
    ),
    _t("disposition_home_health", "outcomes", 0.10, 0.08, 0.13, "share", "hcup_ff_2008"),
    _t("disposition_other_acute_hospital", "outcomes", 0.022, 0.015, 0.03, "share", "hcup_ff_2008"),
    _t(
        "disposition_against_medical_advice",
        "outcomes",
        0.0093,
        0.007,
        0.015,
        "share",
        "hcup_ff_2008",
        "370,000 of 39.9M",
    ),
    _t("post_acute_share_medicare", "outcomes", 0.417, 0.36, 0.47, "share", "hcup_sb205"),
    # --- calendar ------------------------------------------------------------------------------------------------
    _t("weekend_admission_share", "calendar", 0.194, 0.18, 0.20, "share", "hcup_sb87"),
    _t("weekend_elective_share", "calendar", 0.083, 0.05, 0.10, "share", "hcup_sb87", "0.812M of 9.739M electives"),
    _t("weekend_discharge_share", "calendar", 0.21, 0.19, 0.23, "share", "vizient_weekend"),
    _t("discharge_peak_weekday", "calendar", 4, 4, 4, "weekday", "vizient_weekend", "Friday (Monday = 0)"),
    _t("discharge_low_weekday", "calendar", 6, 6, 6, "weekday", "vizient_weekend", "Sunday"),
    _t("discharges_before_noon", "calendar", 0.13, 0.10, 0.20, "share", "florida_discharge_times"),
    _t("discharges_before_3pm", "calendar", 0.422, 0.38, 0.47, "share", "florida_discharge_times"),
    _t("heart_failure_winter_share", "calendar", 0.27, 0.255, 0.285, "share", "akintoye_2017"),
    _t("heart_failure_summer_share", "calendar", 0.23, 0.215, 0.245, "share", "akintoye_2017"),
    # --- payers --------------------------------------------------------------------------------------------------
    _t(
        "payer_medicare",
        "payers",
        0.373,
        0.34,
        0.44,
        "share",
        "hcup_ff_2009",
        "14.7M of 39.4M stays in 2009; more stays are 65+ since",
    ),
    _t(
        "payer_medicaid", "payers", 0.203, 0.18, 0.25, "share", "hcup_ff_2009", "8.0M; higher after the 2014 expansions"
    ),
    _t("payer_private", "payers", 0.33, 0.28, 0.36, "share", "hcup_ff_2009"),
    _t("payer_self_pay", "payers", 0.061, 0.035, 0.07, "share", "hcup_ff_2009", "uninsured: fewer after 2014"),
    _t("payer_other", "payers", 0.033, 0.02, 0.04, "share", "hcup_ff_2009", "TRICARE, workers' compensation, other"),
    _t(
        "medicare_share_65_plus",
        "payers",
        0.93,
        0.90,
        0.96,
        "share",
        "hcup_sb235",
        "assumption-shaped: nearly all stays at 65+",
    ),
    # --- revisits --------------------------------------------------------------------------------------------------
    _t("readmission_30d", "revisits", 0.139, 0.13, 0.15, "share", "hcup_sb248", "13.9% in 2016, 14.2% in 2010"),
    _t("readmission_30d_medicare", "revisits", 0.171, 0.16, 0.185, "share", "hcup_sb248"),
    _t("readmission_30d_private", "revisits", 0.086, 0.078, 0.095, "share", "hcup_sb248"),
    _t("readmission_30d_pregnancy", "revisits", 0.036, 0.03, 0.045, "share", "hcup_sb248"),
    _t("readmission_7d", "revisits", 0.05, 0.044, 0.056, "share", "hcup_sb230"),
    _t("readmission_within_7d_share", "revisits", 0.361, 0.33, 0.40, "share", "hcup_sb230"),
    _t("readmission_30d_heart_failure", "revisits", 0.232, 0.20, 0.26, "share", "hcup_sb230"),
    _t("readmission_30d_schizophrenia", "revisits", 0.229, 0.20, 0.26, "share", "hcup_sb230"),
    _t("readmission_30d_medicaid", "revisits", 0.147, 0.13, 0.16, "share", "hcup_sb248", "approximate"),
    _t(
        "super_utilizer_share",
        "revisits",
        0.035,
        0.025,
        0.06,
        "share",
        "hcup_sb184",
        "patients with 4+ stays a year (fitted to SB #184: 5.9 vs 1.3 stays, 14% of Medicaid stays)",
    ),
    _t("stays_per_patient_year", "revisits", 1.4, 1.3, 1.55, "stays", "hcup_sb184", "among patients with a stay"),
    # --- births ----------------------------------------------------------------------------------------------------
    _t("cesarean_share", "births", 0.324, 0.31, 0.335, "share", "nvss_births_2023"),
    _t("preterm_share", "births", 0.104, 0.095, 0.112, "share", "nvss_births_2023"),
    _t(
        "twin_births_per_birth",
        "births",
        0.031,
        0.028,
        0.034,
        "share",
        "nvss_births_2023",
        "twin birth rate ~31 per 1,000",
    ),
    _t("nicu_admission_share", "births", 0.078, 0.065, 0.09, "share", "harrison_goodman_2015"),
    # --- hospitals -------------------------------------------------------------------------------------------------
    _t("occupancy_overall", "hospitals", 0.70, 0.62, 0.78, "share", "aha_fast_facts", "staffed-bed occupancy ~65-75%"),
    _t("occupancy_icu", "hospitals", 0.75, 0.65, 0.88, "share", "sccm_critical_care", "higher than the floor"),
    _t("hospital_beds_max", "hospitals", 1500, 6, 1500, "beds", "aha_bed_size", "design: none above ~1,500 beds"),
    _t("hospitals_under_100_beds", "hospitals", 0.53, 0.45, 0.60, "share", "aha_bed_size"),
    _t("hospitals_300_plus_beds", "hospitals", 0.14, 0.10, 0.18, "share", "aha_bed_size"),
    # --- staffing --------------------------------------------------------------------------------------------------
    _t("female_physicians", "staffing", 0.37, 0.34, 0.40, "share", "aamc_2022"),
    _t("hospitalist_patients_per_day", "staffing", 15, 12, 20, "patients", "shm_2020"),
    _t(
        "stays_per_hospitalist_year",
        "staffing",
        500,
        200,
        1200,
        "stays",
        "assumption",
        "15 patients a day, 182 days a year, a new patient every ~4.5 patient-days: several hundred stays",
    ),
)

BY_NAME: dict[str, Target] = {t.name: t for t in TARGETS}


def target(name: str) -> Target:
    """The target registered under a name.

    Args:
        name: a target name (e.g. "weekend_admission_share").

    Returns:
        The ``Target``.

    Raises:
        KeyError: when no target has that name.
    """
    return BY_NAME[name]


def _number(x: float, unit: str) -> str:
    if unit == "share":
        return f"{x * 100:.1f}%"
    if unit == "usd":
        return f"${x:,.0f}"
    return f"{x:g}"


def markdown_row(t: Target) -> str:
    """The row of ``docs/calibration.md``'s target tables for a target (a test checks the doc carries it).

    Args:
        t: the target.

    Returns:
        "| name | value | low - high | unit | source | note |".
    """
    value = "" if t.value is None else _number(t.value, t.unit)
    return f"| `{t.name}` | {value} | {_number(t.low, t.unit)} - {_number(t.high, t.unit)} | {t.unit} | `{t.source}` | {t.note} |"
