"""``python -m hospital_analytics`` runs the ``hospital`` command."""

from hospital_analytics.cli import app

app(prog_name="hospital")
