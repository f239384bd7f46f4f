"""The day-by-day simulation of a health system (issue 13); ``reference`` holds the published data it reads."""
