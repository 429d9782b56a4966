"""Implementation of :mod:`risk.validation` and the CSV reading of :mod:`risk.io`."""
