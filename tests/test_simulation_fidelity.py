"""The fidelity table's verdicts: "ok" only inside the range it prints, "too few stays to judge" when the margin
is wider than the target itself, and summaries that count judged rows only."""

from __future__ import annotations

from hospital_analytics.simulation.fidelity import TOO_FEW, _row, judgeable
from hospital_analytics.simulation.reference.targets import target


def test_ok_only_inside_the_printed_range():
    t = target("mean_los_days")
    inside = _row(t, (t.low + t.high) / 2, se=0.01)
    outside = _row(t, t.high + 0.5, se=0.01)
    assert inside.verdict == "ok" and outside.verdict == "MISS"
    edge = _row(t, t.high + 3 * 0.01 - 1e-9, se=0.01)  # inside high + margin, which "allowed" prints
    assert edge.passed and f"±{edge.margin:,.2f}" in edge.allowed


def test_a_margin_wider_than_the_target_is_not_judged():
    t = target("mean_los_days")
    middle = (t.low + t.high) / 2
    wide = _row(t, middle * 3, se=middle)  # 3 standard errors of the size of the target itself
    assert wide.passed is None and wide.verdict == TOO_FEW
    assert not judgeable(0.01, 0.03, 0.05) and judgeable(0.01, 0.03, 0.01)
    missing = _row(t, None, se=0.0)
    assert missing.passed is None and missing.verdict == "n/a"
