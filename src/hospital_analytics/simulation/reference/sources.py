"""The publications behind the reference data, by key. ``docs/calibration.md`` lists every one of them.

A key marked ``assumption=True`` stands for a modelling assumption (the number is ours, reasoned from the
publications around it), so a reader can always tell a published figure from a chosen one.
"""

from __future__ import annotations

from .types import Source

_ALL: tuple[Source, ...] = (
    Source("assumption", "Modelling assumption (reasoned, not published)", "hospital-analytics", 2025, assumption=True),
    # --- HCUP (AHRQ Healthcare Cost and Utilization Project) ---------------------------------------------
    Source(
        "hcup_faststats_2017",
        "HCUP Fast Stats: Most Common Diagnoses for Inpatient Stays, 2017",
        "AHRQ",
        2019,
        "National Inpatient Sample 2017, CCSR principal diagnosis, maternal/neonatal included",
    ),
    Source(
        "hcup_sb277",
        "Most Frequent Principal Diagnoses for Inpatient Stays in U.S. Hospitals, 2018 (Statistical Brief #277)",
        "AHRQ HCUP",
        2021,
        "Table 1 and Figure 1 (nonmaternal, nonneonatal stays)",
    ),
    Source(
        "hcup_sb180",
        "Overview of Hospital Stays in the United States, 2012 (Statistical Brief #180)",
        "AHRQ HCUP",
        2014,
        "Table 1: stays, mean length of stay, cost; stay type",
    ),
    Source(
        "hcup_sb166",
        "Overview of Hospital Stays in the United States, 2011 (Statistical Brief #166)",
        "AHRQ HCUP",
        2013,
        "mean length of stay 4.6 days",
    ),
    Source(
        "hcup_sb79",
        "HCUP Statistical Brief #79 (Nationwide Inpatient Sample 2007): length of stay by age",
        "AHRQ HCUP",
        2009,
        "length of stay by age group",
    ),
    Source(
        "hcup_ff_2006",
        "HCUP Facts and Figures: Statistics on Hospital-Based Care in the United States, 2006",
        "AHRQ",
        2008,
        "Exhibit 1: discharges by age group",
    ),
    Source(
        "hcup_ff_2008",
        "HCUP Facts and Figures: Statistics on Hospital-Based Care in the United States, 2008",
        "AHRQ",
        2010,
        "Exhibit 1.1: in-hospital deaths (2.0%), discharge status (against medical advice 1.2%)",
    ),
    Source(
        "hcup_ff_2009",
        "HCUP Facts and Figures: Statistics on Hospital-Based Care in the United States, 2009",
        "AHRQ",
        2011,
        "Exhibit 1.3: expected payer (other 3%)",
    ),
    Source(
        "hcup_sb87",
        "Characteristics of Weekday and Weekend Hospital Admissions, 2007 (Statistical Brief #87)",
        "AHRQ HCUP",
        2010,
        "Table 1: 19% of stays begin at weekends; elective 28.0% weekday vs 10.6% weekend; died 1.9%",
    ),
    Source(
        "hcup_sb248",
        "Trends in Hospital Readmissions by Expected Payer, 2010-2016 (Statistical Brief #248)",
        "AHRQ HCUP",
        2019,
        "Figure 1 and Table 1: 30-day all-cause readmission by payer and diagnosis type",
    ),
    Source(
        "hcup_sb230",
        "A Comparison of All-Cause 7-Day and 30-Day Readmissions, 2014 (Statistical Brief #230)",
        "AHRQ HCUP",
        2017,
        "Table 1: 7-day 5.0%, 30-day 13.9%; 36.1% of 30-day readmissions within 7 days",
    ),
    Source(
        "hcup_ccsr_approx",
        "Approximate US stays per CCSR category (rounded, shaped on HCUPnet NIS 2017-2019 tables)",
        "hospital-analytics",
        2025,
        "category totals outside the Fast Stats top ten; not checked against HCUPnet here",
        assumption=True,
    ),
    Source(
        "hcup_sb194",
        "Trends in Observed Adult Inpatient Mortality for High-Volume Conditions, 2002-2012 (Statistical Brief #194)",
        "AHRQ HCUP",
        2015,
        "2012 deaths per 1,000: pneumonia 35.8, AMI 55.9, CHF 31.4, stroke 82.6",
    ),
    Source(
        "hcup_ff_2007",
        "HCUP Facts and Figures 2007, Exhibit 1.4: Discharge Status",
        "AHRQ",
        2009,
        "routine 74%, long-term care 12%, home health 9%, died 2%, short-term hospital 2%, AMA 1%",
    ),
    Source(
        "hcup_sb205",
        "An All-Payer View of Hospital Discharge to Postacute Care, 2013 (Statistical Brief #205)",
        "AHRQ HCUP",
        2016,
        "22.3% of discharges to postacute care; Medicare 41.7%, private 11.7%, Medicaid 8.1%, uninsured 4.8%",
    ),
    Source(
        "hcup_sb184",
        "Characteristics of Hospital Stays for Nonelderly Medicaid Super-Utilizers, 2012 (Statistical Brief #184)",
        "AHRQ HCUP",
        2014,
        "super-utilizers (4+ stays): 5.9 vs 1.3 stays; 14% of Medicaid stays; readmission 52.4% vs 8.8%",
    ),
    Source(
        "jencks_2009",
        "Rehospitalizations among Patients in the Medicare Fee-for-Service Program (Jencks et al., NEJM)",
        "Massachusetts Medical Society",
        2009,
        "19.6% of Medicare discharges readmitted within 30 days; diagnoses of the readmissions",
    ),
    Source(
        "faddy_2009",
        "Modeling length of stay in hospital and other right skewed data (Faddy, Graves and Pettitt, Value in Health)",
        "Elsevier",
        2009,
        "lognormal and gamma-type fits to length of stay",
    ),
    Source(
        "hcup_sb104",
        "Medicaid Hospitalizations, 2008 (Statistical Brief #104)",
        "AHRQ HCUP",
        2011,
        "Table 1: age and sex of Medicaid, private and uninsured stays",
    ),
    Source(
        "hcup_sb235",
        "Trends in Hospital Inpatient Stays by Age and Payer, 2000-2015 (Statistical Brief #235)",
        "AHRQ HCUP",
        2018,
        "expected payer by age group",
    ),
    Source(
        "nchs_db62",
        "Inpatient Care for Septicemia or Sepsis: A Challenge for Patients and Hospitals (NCHS Data Brief 62)",
        "CDC NCHS",
        2011,
        "17% of septicemia or sepsis hospitalizations ended in death (NHDS 2008)",
    ),
    Source(
        "nchs_db118",
        "Trends in Inpatient Hospital Deaths: National Hospital Discharge Survey, 2000-2010 (NCHS Data Brief 118)",
        "CDC NCHS",
        2013,
        "2.0% of hospitalizations ended in death; a quarter of deaths at 85+; septicemia 16%",
    ),
    Source(
        "chen_jacc_2013",
        "National trends in heart failure hospital stay rates, 2001 to 2009 (Chen et al., J Am Coll Cardiol)",
        "Elsevier",
        2013,
        "mean LOS 5.6 -> 5.3 days; in-hospital mortality 4.5% -> 3.3%",
    ),
    Source(
        "esc_hf_2022",
        "Trends of heart failure hospitalisation and in-hospital mortality in the US, 2004-2018 (ESC Heart Failure)",
        "Wiley",
        2022,
        "LOS 5.4 days and in-hospital mortality 2.6% in 2018",
    ),
    Source(
        "elfeky_2017",
        "Epidemiologic characteristics, temporal trends, predictors of death in sepsis (Elfeky et al., J Crit Care)",
        "Elsevier",
        2017,
        "NIS 2009-2012: mortality 16.5% -> 13.8%, LOS 6.7 -> 5.9 days",
    ),
    Source(
        "aha_bed_size",
        "AHA-registered U.S. hospitals by bed size (AHRQ Hospital Survey on Patient Safety Culture, Table 3.1)",
        "AHRQ / American Hospital Association",
        2008,
        "6-24 10%, 25-49 22%, 50-99 21%, 100-199 21%, 200-299 11%, 300-399 6%, 400+ 8%",
    ),
    Source(
        "aha_fast_facts",
        "Fast Facts on U.S. Hospitals (AHA Hospital Statistics)",
        "American Hospital Association",
        2022,
        "community hospitals, staffed beds, admissions; ICU beds by type",
    ),
    Source(
        "aha_annual_2000",
        "AHA Annual Survey 2000: hospitals by bed size",
        "American Hospital Association",
        2000,
        "500+ beds: 247 of 4,915 hospitals",
    ),
    Source(
        "sccm_critical_care",
        "Critical Care Statistics (Society of Critical Care Medicine)",
        "SCCM",
        2023,
        "ICU admissions per year, ICU beds, occupancy",
    ),
    Source(
        "harrison_goodman_2015",
        "Epidemiologic trends in neonatal intensive care, 2007-2012 (Harrison & Goodman, JAMA Pediatrics)",
        "AMA",
        2015,
        "NICU admissions rose from 64 to 78 per 1,000 live births",
    ),
    Source(
        "aamc_2022",
        "Physician Specialty Data Report / Active Physicians by Sex and Specialty",
        "AAMC",
        2022,
        "active physicians by specialty; women 37% of active physicians",
    ),
    Source(
        "shm_2020",
        "State of Hospital Medicine Report",
        "Society of Hospital Medicine",
        2020,
        "hospitalist encounters per shift, schedules (7-on/7-off most common)",
    ),
    Source(
        "cms_medicare_eligibility",
        "Medicare enrollment: Part A coverage starts the first day of the month of the 65th birthday",
        "CMS / SSA",
        2024,
        "the month of the 65th birthday (the month before when the birthday is on the 1st)",
    ),
    Source(
        "kff_medicaid_churn",
        "Medicaid churn: share of enrollees disenrolling and re-enrolling within a year",
        "KFF / MACPAC",
        2021,
        "about 10% of enrollees disenroll and re-enroll within 12 months",
    ),
    Source(
        "census_insurance",
        "Health Insurance Coverage in the United States (Current Population Reports P60)",
        "US Census Bureau",
        2023,
        "coverage by type and age",
    ),
    # --- CDC / NCHS -----------------------------------------------------------------------------------------
    Source(
        "nvss_births_2023",
        "Births: Final Data for 2023 (National Vital Statistics Reports)",
        "CDC NCHS",
        2025,
        "cesarean delivery rate 32.4%; preterm 10.4%; twin birth rate",
    ),
    Source(
        "nvss_births_weekday",
        "NCHS natality files: births by day of week and time of day",
        "CDC NCHS",
        2019,
        "day-of-week index of births (approximate values read from NVSS reports)",
    ),
    Source("nvss_births_month", "NCHS natality files: births by month", "CDC NCHS", 2019, "monthly births"),
    Source(
        "nhamcs_ed",
        "National Hospital Ambulatory Medical Care Survey: Emergency Department Summary",
        "CDC NCHS",
        2008,
        "ED occupancy by hour (19,000 at 6 a.m. to 58,000 at 7 p.m.)",
    ),
    Source(
        "cdc_fluview",
        "FluView / FluSurv-NET: laboratory-confirmed influenza hospitalizations by week",
        "CDC",
        2023,
        "seasonal peak December-February",
    ),
    Source(
        "cdc_nrevss_rsv", "NREVSS: RSV national trends (seasons before 2020)", "CDC", 2019, "November-February peak"
    ),
    # --- others ---------------------------------------------------------------------------------------------
    Source(
        "vizient_weekend",
        "Weekend and Friday discharges (Vizient clinical database, 12.6M discharges 2015-2017)",
        "Vizient",
        2018,
        "weekend share of discharges ~21%; Friday busiest, Sunday quietest",
    ),
    Source(
        "florida_discharge_times",
        "The Distributions of Weekday Discharge Times at Acute Care Hospitals in the State of Florida were Static from 2010 to 2018",
        "Journal of Medical Systems",
        2019,
        "13.0% before noon, 42.2% before 3 p.m., median hour 3 p.m.",
    ),
    Source(
        "census_cps_mobility_2014",
        "U.S. Mover Rate Remains Stable at About 12 Percent Since 2008 (Geographical Mobility: 2013 to 2014, CPS ASEC)",
        "U.S. Census Bureau",
        2015,
        "mover rate 2013-2014: 11.5% of people 1 year and over",
    ),
    Source(
        "census_cb09_62",
        "Residential Mover Rate in U.S. is Lowest Since Census Bureau Began Tracking in 1948 (release CB09-62)",
        "U.S. Census Bureau",
        2009,
        "movers of 2008: 65% within the same county, 18% to another county of the same state",
    ),
    Source(
        "cms_ed_timeliness",
        "CMS Timely and Effective Care: ED-1b/ED-2b (admitted ED patients' time in the ED)",
        "CMS",
        2019,
        "national median of several hours from arrival to departure for admitted patients",
    ),
    Source(
        "akintoye_2017",
        "Seasonal variation in hospitalization outcomes in heart failure (Akintoye et al., Clin Cardiol)",
        "Wiley",
        2017,
        "winter 27%, spring 26%, fall 24%, summer 23% of heart-failure admissions",
    ),
)

SOURCES: dict[str, Source] = {s.key: s for s in _ALL}


def source(key: str) -> Source:
    """The source registered under a key.

    Args:
        key: a source key (e.g. "hcup_sb277").

    Returns:
        The ``Source``.

    Raises:
        KeyError: when no source has that key.
    """
    return SOURCES[key]
