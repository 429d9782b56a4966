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


def _check_unique(families: dict[str, Family]) -> None:
    """Refuse a feature name declared by two families (each family refuses its own twice)."""
    seen: dict[str, str] = {}
    for family in families.values():
        for spec in family.specs:
            if spec.name in seen:
                raise FeatureRegistryError(
                    f"feature {spec.name!r} is declared twice"
                    f" (families {seen[spec.name]!r} and {family.name!r})"
                )
            seen[spec.name] = family.name


_check_unique(FAMILIES)
