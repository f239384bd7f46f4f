"""Dirty data on purpose (issue 15, docs/design/defects.md): profiles, injection into the delivered files,
and the ground-truth ledger ``data/defects.csv``."""

from hospital_analytics.defects.profiles import CLASSES, Profile, resolve

__all__ = ["CLASSES", "Profile", "resolve"]
