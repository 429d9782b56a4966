"""The catalogue: the project's feature declarations, for models, serving and oversight."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from risk.errors import FeatureRegistryError

from ._families import FAMILIES
from ._registry import FeatureSpec, canonical_hash

__all__ = ["Catalogue", "catalogue"]


@dataclass(frozen=True)
class Catalogue:
    """An ordered, read-only list of feature declarations.

    Parameters
    ----------
    specs
        The declarations, in catalogue order (by family, then declaration order).
    """

    specs: tuple[FeatureSpec, ...]

    @property
    def names(self) -> list[str]:
        """Feature names in catalogue order."""
        return [s.name for s in self.specs]

    @cached_property
    def groups(self) -> dict[str, list[str]]:
        """Feature names per group, groups in order of first appearance (family order)."""
        out: dict[str, list[str]] = {}
        for spec in self.specs:
            out.setdefault(spec.group, []).append(spec.name)
        return out

    @property
    def categorical_names(self) -> list[str]:
        """Names of the categorical features."""
        return [s.name for s in self.specs if s.kind == "categorical"]

    def get(self, name: str) -> FeatureSpec:
        """The declaration of feature ``name``.

        Raises
        ------
        FeatureRegistryError
            If no feature has that name.
        """
        spec = self._index.get(name)
        if spec is not None:
            return spec
        raise FeatureRegistryError(f"no feature named {name!r} in the catalogue")

    @cached_property
    def _index(self) -> dict[str, FeatureSpec]:
        return {s.name: s for s in self.specs}

    def __len__(self) -> int:
        return len(self.specs)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def hash(self) -> str:
        """sha256 (hex) of the canonical JSON of names, kinds, dtypes, categories and inputs.

        Stable across processes; a model bundle stores it to detect a catalogue change.
        """
        return canonical_hash(self.specs)

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-serialisable dict per feature."""
        return [s.as_record() for s in self.specs]

    def to_json(self) -> str:
        """The catalogue as JSON: its hash and the feature records."""
        return json.dumps(
            {"hash": self.hash(), "features": self.to_records()}, indent=2, ensure_ascii=False
        )

    def to_markdown(self) -> str:
        """The catalogue as a Markdown document, one table per group, for oversight."""
        lines = ["# Feature catalogue", "", f"Catalogue hash: `{self.hash()}`", ""]
        for group, names in self.groups.items():
            lines += [f"## {group}", "", _HEADER, "|---|---|---|---|---|---|"]
            for name in names:
                s = self.get(name)
                cells = [
                    f"`{s.name}`",
                    s.kind,
                    s.unit or "-",
                    s.description,
                    s.purpose,
                    ", ".join(f"`{c}`" for c in s.inputs),
                ]
                lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
            lines.append("")
        return "\n".join(lines)


_HEADER = "| Feature | Kind | Unit | Description | Purpose | Inputs |"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@cache
def catalogue() -> Catalogue:
    """The project's feature catalogue: every family's features, in family order.

    Built once per process (the families declare their features at import).
    """
    return Catalogue(tuple(spec for family in FAMILIES.values() for spec in family.specs))
