"""The simulation: the service operated month by month over a synthetic world.

It lives in ``serving`` because it drives the service's own functions in process (same
store, audit log and inference log) on a simulated clock.  Public API:

- :func:`simulate(settings, config, out_dir) <simulate>` with a :class:`SimulationConfig`:
  world, first model, each arm's months, ``simulation.json`` and ``simulation.html``.
- :func:`coverage(document) <coverage>`: months whose interval covers the truth;
  :func:`summarise` and :func:`loop_table` over several seeds.
- :class:`PeopleRates`: the simulated people's rates (assumptions).
"""

from ._people import PeopleRates
from ._report import coverage, write_report
from ._run import SIMULATION_FILE, SimulationConfig, SimulationResult, refuse_non_empty, simulate
from ._summary import loop_table, summarise

__all__ = [
    "SIMULATION_FILE",
    "PeopleRates",
    "SimulationConfig",
    "SimulationResult",
    "coverage",
    "loop_table",
    "refuse_non_empty",
    "simulate",
    "summarise",
    "write_report",
]
