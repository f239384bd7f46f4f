"""Hospitals and units, staffing and places: sizes, units, occupancy, names, rosters, real ZIP codes."""

from __future__ import annotations

import numpy as np
import pytest
import zipcodes

from hospital_analytics.simulation.reference import diagnoses, hospitals, places, staffing, targets


def test_bed_size_distribution():
    classes = hospitals.BED_SIZE_CLASSES
    assert sum(c.share for c in classes) == pytest.approx(1)
    assert all(a.high + 1 == b.low for a, b in zip(classes, classes[1:], strict=False))
    beds = [hospitals.beds_from_uniform(u) for u in np.linspace(0, 1, 20_001, endpoint=False)]
    assert min(beds) >= 6 and max(beds) <= hospitals.MAX_BEDS <= targets.target("hospital_beds_max").high
    small = sum(b < 100 for b in beds) / len(beds)
    large = sum(b >= 300 for b in beds) / len(beds)
    t_small, t_large = targets.target("hospitals_under_100_beds"), targets.target("hospitals_300_plus_beds")
    assert t_small.low <= small <= t_small.high and t_large.low <= large <= t_large.high
    assert hospitals.size_class(250).low == 200
    with pytest.raises(ValueError):
        hospitals.size_class(2000)


def test_units_by_hospital_size():
    assert [u.code for u in hospitals.units_for(20)] == ["MEDSURG"]
    big = {u.code for u in hospitals.units_for(600)}
    assert big == {u.code for u in hospitals.UNIT_KINDS}
    for unit in hospitals.UNIT_KINDS:
        low, typical, high = unit.occupancy
        assert 0 < low < typical < high < 1
    icu, floor = hospitals.UNIT_BY_CODE["ICU"], hospitals.UNIT_BY_CODE["MEDSURG"]
    assert icu.occupancy[1] >= floor.occupancy[1]  # ICUs run fuller


def test_every_service_has_a_unit_everywhere():
    for beds in (10, 80, 160, 450):
        available = tuple(u.code for u in hospitals.units_for(beds))
        for service in diagnoses.SERVICES:
            if service == "critical_care":
                continue
            assert hospitals.unit_for(service, available) in available
            assert hospitals.unit_for(service, available, icu=True) in available
    assert hospitals.unit_for("newborn", ("MEDSURG", "NURSERY", "NICU"), icu=True) == "NICU"
    assert hospitals.unit_for("pediatrics", ("MEDSURG", "ICU")) == "MEDSURG"


@pytest.mark.parametrize("census", [0.5, 3, 12, 40, 250])
def test_beds_for_census_keep_occupancy_in_range(census):
    for unit in hospitals.UNIT_KINDS:
        beds = hospitals.beds_for_census(census, unit)
        assert beds >= unit.min_beds
        assert census / beds <= unit.occupancy[1] + 1e-9
        assert census + hospitals.CENSUS_SLACK_SD * census**0.5 <= beds  # a 1.5-sd peak fits
    assert hospitals.beds_for_census(250, hospitals.UNIT_BY_CODE["MEDSURG"]) / 250 < 1.45  # large units not padded


def test_hospital_names_come_from_the_place():
    name = hospitals.hospital_name("Springfield", "Sangamon County", "Illinois", 250, 0.05, 0.0)
    assert name == "Springfield Regional Medical Center"
    names = {
        hospitals.hospital_name("Dayton", "Montgomery County", "Ohio", b, u, 0.5)
        for b in (30, 200, 800)
        for u in np.linspace(0, 0.99, 20)
    }
    assert len(names) > 10 and all("Dayton" in n or "Montgomery" in n or "Ohio" in n or "St." in n for n in names)
    assert not any("County County" in n for n in names)


def test_staffing_roles_and_rosters():
    for role in staffing.ROLES:
        assert role.specialty in staffing.SPECIALTIES
        assert 0 < role.female_share < 1
        if role.attends:
            assert role.patients_per_day > 0 and role.days_on > 0
    for d in diagnoses.catalogue():
        role = staffing.role_for(diagnoses.service_for(d, 40), d.specialty)
        assert role.attends
    hospitalist = staffing.ROLES_BY_NAME["hospitalist"]
    assert staffing.roster_size(hospitalist, 0) == 0
    assert staffing.roster_size(hospitalist, 1) == 2  # one on duty, 7 on / 7 off
    assert staffing.roster_size(hospitalist, 150) == 20
    # a hospitalist works half the year with 15 patients: a new patient every mean stay -> hundreds of stays
    stays_a_year = (
        hospitalist.patients_per_day * 365 * hospitalist.days_on / (hospitalist.days_on + hospitalist.days_off) / 4.6
    )
    t = targets.target("stays_per_hospitalist_year")
    assert t.low <= stays_a_year <= t.high
    assert staffing.non_attending_size(staffing.ROLES_BY_NAME["anesthesiologist"], 300) == 9
    with pytest.raises(ValueError):
        staffing.roster_size(staffing.ROLES_BY_NAME["radiologist"], 10)
    with pytest.raises(ValueError):
        staffing.non_attending_size(hospitalist, 10)


def test_physician_gender_share_matches_aamc():
    counts = staffing.SPECIALTIES
    women = sum(n * f for n, f in counts.values()) / sum(n for n, _ in counts.values())
    t = targets.target("female_physicians")
    assert t.low <= women <= t.high


def test_places_are_real_zip_codes():
    table = places.all_places()
    assert len(table) > 25_000
    assert {p.state for p in table} == set(places.STATE_NAMES)
    sample = table[:: len(table) // 50]
    assert all(zipcodes.is_real(p.zip_code) for p in sample)
    assert all(p.county and p.city for p in sample)


def test_hospital_sites_are_deterministic_regional_and_sized():
    u, beds = [0.31, 0.72, 0.55, 0.08], [650, 120, 40, 300]
    sites = places.hospital_sites(u, beds)
    assert sites == places.hospital_sites(u, beds)
    assert all(places.distance_miles(sites[0], s) <= places.REGION_MILES for s in sites[1:])
    big_city_zips = sum(1 for p in places.all_places() if (p.city, p.state) == (sites[0].city, sites[0].state))
    assert big_city_zips >= 12
    with pytest.raises(ValueError):
        places.hospital_sites([0.5], [100, 200])


def test_catchment_distance_decay():
    site = places.hospital_sites([0.42], [250])[0]
    area = places.catchment(site)
    assert area.places[0] == site and area.distances[0] == 0
    assert sum(area.weights) == pytest.approx(1)
    assert list(area.distances) == sorted(area.distances)
    assert all(a >= b for a, b in zip(area.weights, area.weights[1:], strict=False))
    assert max(area.distances) <= places.RURAL_CATCHMENT_MILES
    homes = places.home_indices(area, np.linspace(0, 1, 10_000, endpoint=False))
    assert homes.min() >= 0 and homes.max() < len(area.places)
    near = np.mean(np.asarray(area.distances)[homes] <= 15)
    assert near > 0.5  # most patients live close to their hospital
    assert len({area.places[i].zip_code for i in homes}) > 10  # but not all in one ZIP code


def test_bed_days_per_physician():
    hospitalist = staffing.ROLES_BY_NAME["hospitalist"]
    assert staffing.bed_days_per_physician_year(hospitalist) == pytest.approx(15 * 365.25 / 2)
