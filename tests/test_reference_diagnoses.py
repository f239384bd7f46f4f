"""The diagnosis catalogue: valid codes, consistent siblings, and aggregates within published ranges.

Every aggregate here is computed from the catalogue's own weights and compared with ``targets.TARGETS``.
"""

from __future__ import annotations

import re

import pytest

from hospital_analytics.simulation.reference import ages, diagnoses, seasons, sources, staffing, targets

CATALOGUE = diagnoses.catalogue()
TOTAL = sum(d.stays for d in CATALOGUE)
ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$|^U07\.1$")


def weighted(value, rows=CATALOGUE) -> float:
    weight = sum(d.stays for d in rows)
    return sum(d.stays * value(d) for d in rows) / weight


def in_range(name: str, value: float) -> None:
    t = targets.target(name)
    assert t.low <= value <= t.high, f"{name}: {value:.4f} outside [{t.low}, {t.high}] ({t.source})"


def test_hundreds_of_unique_valid_codes():
    codes = [d.code for d in CATALOGUE]
    assert len(codes) >= 300
    assert len(set(codes)) == len(codes)
    assert all(ICD10CM.match(code) for code in codes), [c for c in codes if not ICD10CM.match(c)]
    assert all(d.description and d.description[0].isupper() for d in CATALOGUE)


def test_fields_are_consistent():
    for d in CATALOGUE:
        assert d.stay_type in diagnoses.STAY_TYPES
        assert d.service in diagnoses.SERVICES and d.service != "critical_care"
        assert d.body_system in diagnoses.BODY_SYSTEMS
        assert d.season in seasons.CURVES
        assert d.source in sources.SOURCES
        assert d.specialty in staffing.SPECIALTIES, d.specialty
        assert d.sex in ("", "F", "M")
        assert 0 <= d.min_age <= d.max_age <= ages.MAX_AGE
        assert d.stays > 0 and d.los_mean > 0 and d.los_cv > 0 and d.charges > 0
        for share in (d.surgical_share, d.mortality, d.icu_first, d.icu_days_share, d.step_down, d.readmission):
            assert 0 <= share <= 1
        assert sum(d.age_share) == pytest.approx(1, abs=1e-3)
        if d.newborn:
            assert d.admission == (0.0, 0.0, 0.0) and d.age_share[0] == 1
        else:
            assert sum(d.admission) == pytest.approx(1)
        if d.sex == "F":
            assert d.female_share == 1
        if d.sex == "M":
            assert d.female_share == 0


def test_age_share_respects_eligibility():
    for d in CATALOGUE:
        for band, share in zip(ages.AGE_BANDS, d.age_share, strict=True):
            if band.high < d.min_age or band.low > d.max_age:
                assert share == 0, (d.code, band.name)


def test_age_profiles_keep_each_diagnosis_mean():
    for d in CATALOGUE:
        assert sum(s * m for s, m in zip(d.age_share, d.los_age, strict=True)) == pytest.approx(1, abs=1e-4)
        assert sum(s * m for s, m in zip(d.age_share, d.mortality_age, strict=True)) == pytest.approx(1, abs=1e-4)
    hf = diagnoses.by_code("I50.23")
    assert hf.los_age[5] > hf.los_age[3]  # older patients stay longer within the diagnosis


def test_laterality_pairs():
    groups = diagnoses.lateral_groups()
    assert len(groups) >= 40
    for key, members in groups.items():
        sides = [d.laterality for d in members]
        assert sorted(set(sides)) == sorted(sides), key  # one code per side
        assert "right" in sides and "left" in sides, key
        assert {d.category for d in members} == {members[0].category}, key
        right = next(d for d in members if d.laterality == "right")
        left = next(d for d in members if d.laterality == "left")
        assert 0.3 < right.stays / (right.stays + left.stays) < 0.7, key  # a realistic split, both ways
    assert any("bilateral" in {d.laterality for d in m} for m in groups.values())
    assert all(d.laterality in ("", *diagnoses.LATERALITIES) for d in CATALOGUE)


def test_delivery_and_newborn_codes_agree_on_cesarean_share():
    deliveries = [d for d in CATALOGUE if d.delivery]
    newborns = [d for d in CATALOGUE if d.newborn]
    assert {d.code for d in newborns} == {"Z38.00", "Z38.01", "Z38.30", "Z38.31"}
    delivery_cs = weighted(lambda d: d.cesarean_share, deliveries)
    newborn_cs = weighted(lambda d: d.newborn == "cesarean", newborns)
    in_range("cesarean_share", delivery_cs)
    in_range("cesarean_share", newborn_cs)
    assert diagnoses.by_code("O80").cesarean_share == 0 and diagnoses.by_code("O82").cesarean_share == 1
    assert all(d.sex == "F" and d.min_age >= 10 and d.max_age <= 55 for d in deliveries)


def test_implied_mean_length_of_stay_and_mortality():
    in_range("mean_los_days", weighted(lambda d: d.los_mean))
    in_range("in_hospital_mortality", weighted(lambda d: d.mortality))
    deaths = [d.stays * d.mortality * d.age_share[5] * d.mortality_age[5] for d in CATALOGUE]
    in_range("deaths_share_85_plus", sum(deaths) / sum(d.stays * d.mortality for d in CATALOGUE))


@pytest.mark.parametrize(
    ("category", "los", "mortality"),
    [
        ("Heart failure", "los_heart_failure_days", "mortality_heart_failure"),
        ("Septicemia", "los_septicemia_days", "mortality_septicemia"),
        ("Acute myocardial infarction", None, "mortality_ami"),
        ("Pneumonia (except that caused by tuberculosis)", None, "mortality_pneumonia"),
    ],
)
def test_condition_figures(category, los, mortality):
    rows = [d for d in CATALOGUE if d.category == category]
    if los:
        in_range(los, weighted(lambda d: d.los_mean, rows))
    in_range(mortality, weighted(lambda d: d.mortality, rows))


def test_stroke_mortality_across_ischaemic_and_haemorrhagic():
    rows = [d for d in CATALOGUE if d.category in ("Cerebral infarction", "Hemorrhagic stroke")]
    in_range("mortality_stroke", weighted(lambda d: d.mortality, rows))


def test_stay_type_and_age_mix():
    maternal = weighted(lambda d: d.stay_type == "Maternal/Neonatal")
    surgical = weighted(lambda d: 0 if d.stay_type == "Maternal/Neonatal" else d.surgical_share)
    in_range("stay_type_maternal_neonatal", maternal)
    in_range("stay_type_surgical", surgical)
    in_range("stay_type_medical", 1 - maternal - surgical)
    names = ("under_1", "1_17", "18_44", "45_64", "65_84", "85_plus")
    for index, name in enumerate(names):
        in_range(f"age_share_{name}", weighted(lambda d, i=index: d.age_share[i]))


def test_sex_admission_type_and_charges():
    in_range("female_share", weighted(lambda d: d.female_share))
    in_range("elective_share", weighted(lambda d: d.admission[2]))
    in_range("mean_charges_usd", weighted(lambda d: d.charges))


def test_readmission_propensities_match_hcup():
    rows = [d for d in CATALOGUE if not d.newborn]  # HCUP counts index stays of patients aged 1+
    in_range("readmission_30d", weighted(lambda d: d.readmission, rows))
    in_range("readmission_30d_pregnancy", weighted(lambda d: d.readmission, [d for d in rows if d.delivery]))
    in_range(
        "readmission_30d_heart_failure",
        weighted(lambda d: d.readmission, [d for d in rows if d.category == "Heart failure"]),
    )


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("share_liveborn", "Liveborn"),
        ("share_septicemia", "Septicemia"),
        ("share_osteoarthritis", "Osteoarthritis"),
        ("share_heart_failure", "Heart failure"),
        ("share_copd", "Chronic obstructive pulmonary disease and bronchiectasis"),
        ("share_ami", "Acute myocardial infarction"),
        ("share_diabetes_complication", "Diabetes mellitus with complication"),
        ("share_pneumonia", "Pneumonia (except that caused by tuberculosis)"),
        ("share_dysrhythmias", "Cardiac dysrhythmias"),
    ],
)
def test_top_categories_hold_their_published_shares(name, category):
    in_range(name, sum(d.stays for d in CATALOGUE if d.category == category) / TOTAL)


def test_long_tail_shape():
    shares = sorted((d.stays / TOTAL for d in CATALOGUE), reverse=True)
    assert shares[0] < 0.09  # no single code dominates (Z38.00 is the largest)
    assert sum(shares[:10]) < 0.35  # HCUP: the ten most frequent *categories* hold about 30% of stays
    assert sum(shares[:100]) < 0.70  # a long tail: the codes past the hundredth carry over 30% of stays
    assert sum(shares[400:]) > 0.15 and sum(shares[1000:]) > 0.02


def test_service_for_children():
    pneumonia = diagnoses.by_code("J18.9")
    assert diagnoses.service_for(pneumonia, 6) == "pediatrics"
    assert diagnoses.service_for(pneumonia, 60) == "hospital_medicine"
    assert diagnoses.service_for(diagnoses.by_code("K35.80"), 9) == "surgery"
    assert diagnoses.service_for(diagnoses.by_code("Z38.00"), 0) == "newborn"


def test_unit_paths():
    for d in CATALOGUE:
        paths = diagnoses.unit_paths(d)
        assert sum(p.probability for p in paths) == pytest.approx(1)
        for path in paths:
            assert sum(leg.los_share for leg in path.legs) == pytest.approx(1)
            assert path.legs[-1].unit == "FLOOR" or (len(path.legs) == 1 and path.legs[0].unit == "ICU")
        icu = sum(p.probability for p in paths if p.legs[0].unit == "ICU")
        assert icu == pytest.approx(d.icu_first)
    sepsis = diagnoses.unit_paths(diagnoses.by_code("A41.9"))
    assert {tuple(leg.unit for leg in p.legs) for p in sepsis} >= {("ICU", "FLOOR"), ("FLOOR",)}
    assert all(leg.unit != "STEPDOWN" for p in diagnoses.unit_paths(diagnoses.by_code("Z38.00")) for leg in p.legs)
