"""The one list of feature families; every other list of families derives from it.

To add a family: write its module (one :class:`features.Family` named ``FAMILY``
with its features) and add it here.  The catalogue's order, ``GROUPS``, the
batch pipeline and the request-time row all follow this tuple.
"""

from __future__ import annotations

from risk.errors import FeatureRegistryError

from . import applicant, documents, financial, network, sponsor, travel_history
from ._family import Family

__all__ = ["FAMILIES", "GROUPS"]

#: Family name -> family, in catalogue order.
FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        applicant.FAMILY,
        travel_history.FAMILY,
        documents.FAMILY,
        sponsor.FAMILY,
        financial.FAMILY,
        network.FAMILY,
    )
}
#: Family names, in catalogue order.
GROUPS: tuple[str, ...] = tuple(FAMILIES)

_seen: dict[str, str] = {}
for _family in FAMILIES.values():
    for _spec in _family.specs:
        if _spec.name in _seen:
            raise FeatureRegistryError(
                f"feature {_spec.name!r} is declared twice"
                f" (families {_seen[_spec.name]!r} and {_family.name!r})"
            )
        _seen[_spec.name] = _family.name
