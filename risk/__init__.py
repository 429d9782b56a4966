"""Amanah's shared kernel: settings, errors, the data contract and the synthetic world."""

from risk.clock import Clock, ContinuedClock, SimulatedClock, WallClock
from risk.errors import AmanahError
from risk.settings import Settings, get_settings

__all__ = [
    "AmanahError",
    "Clock",
    "ContinuedClock",
    "Settings",
    "SimulatedClock",
    "WallClock",
    "get_settings",
]
__version__ = "0.1.0"
