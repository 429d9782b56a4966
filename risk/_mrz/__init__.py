"""Implementation of :mod:`risk.mrz` (ICAO 9303 machine-readable zones); import from there."""
