"""Fixtures of the feature tests; the frame builders live in ``feature_world``."""
