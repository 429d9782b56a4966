"""The synthetic world: six contract tables, ground truth and a manifest, reproducibly.

Indonesia is the receiving state.  Applicants of about forty nationalities apply for
visit, business, work, study, family, retirement and second-home visas over a window of
years with seasonality; some apply repeatedly, and their travel history and earlier
decisions follow them.  Violations (overstay, document fraud, misrepresentation) are driven
by observable signals, never by nationality; place of application, residence, document
language and agents are deliberate proxies for nationality; and the historical labels are
biased (investigations favoured some nationalities and the old checklist rules).
"""

from __future__ import annotations

from ._documents import FRAUD_KINDS
from ._drift import DRIFT_SCENARIOS, NEW_POST, DriftScenario
from ._labels import DETECTION, INTELLIGENCE_BIAS
from ._output import GENERATOR_VERSION, Manifest, synthesize
from ._world import STEPS, World, generate_world

__all__ = [
    "DETECTION",
    "DRIFT_SCENARIOS",
    "FRAUD_KINDS",
    "GENERATOR_VERSION",
    "INTELLIGENCE_BIAS",
    "NEW_POST",
    "STEPS",
    "DriftScenario",
    "Manifest",
    "World",
    "generate_world",
    "synthesize",
]
