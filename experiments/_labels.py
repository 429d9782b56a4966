"""Human labels for the metric keys runs log (``model.ece``,
``fairness.nationality.fpr.min_ratio``, ``gate.precision_at_capacity``), in English and
Bahasa Indonesia, so that no report or screen shows a raw key.

Precision at capacity has one definition everywhere (:data:`PRECISION_DEFINITION`): the
model's own test metric, over the top ``capacity`` share of the test split by score.
"""

from __future__ import annotations

import re

__all__ = ["PRECISION_DEFINITION", "metric_definition", "metric_label"]

_BASE = {
    "n": ("test rows", "baris uji"),
    "positives": ("confirmed violations in the test split", "pelanggaran terbukti pada data uji"),
    "base_rate": ("share of violations (base rate)", "bagian pelanggaran (laju dasar)"),
    "roc_auc": ("ROC AUC (ranking quality)", "ROC AUC (mutu peringkat)"),
    "pr_auc": ("PR AUC (precision-recall area)", "PR AUC (luas presisi-recall)"),
    "brier": ("Brier score (lower is better)", "skor Brier (lebih kecil lebih baik)"),
    "ece": (
        "expected calibration error (lower is better)",
        "galat kalibrasi harapan (lebih kecil lebih baik)",
    ),
    "flag_rate": ("flag rate", "tingkat penandaan"),
    "precision_at_capacity": ("precision at capacity", "presisi pada kapasitas"),
    "recall_at_capacity": ("recall at capacity", "recall pada kapasitas"),
    "lift_at_capacity": ("lift at capacity", "lift pada kapasitas"),
}
_SCOPE = {
    "model": ("model", "model"),
    "model_truth": ("model against the synthetic truth", "model terhadap kebenaran sintetis"),
    "baseline": ("checklist baseline", "pembanding daftar periksa"),
    "baseline_truth": (
        "checklist baseline against the synthetic truth",
        "pembanding daftar periksa terhadap kebenaran sintetis",
    ),
    "gate": ("promotion gate", "gerbang promosi"),
    "quality": ("promotion gate", "gerbang promosi"),
}
_RATIO = {
    "flag_rate": ("flag rate", "tingkat penandaan"),
    "fpr": ("false positive rate", "tingkat positif palsu"),
    "fdr": ("false discovery rate", "tingkat temuan palsu"),
    "fnr": ("false negative rate", "tingkat negatif palsu"),
}
_ATTRIBUTES = {
    "nationality": ("nationality", "kewarganegaraan"),
    "sex": ("sex", "jenis kelamin"),
    "age_band": ("age band", "kelompok usia"),
    "marital_status": ("marital status", "status perkawinan"),
}
_FAIRNESS = re.compile(r"fairness\.(?P<attr>.+)\.(?P<metric>[a-z_]+)\.(?P<end>min|max)_ratio")

#: What "precision at capacity" means wherever it is shown.
PRECISION_DEFINITION = (
    "Precision at capacity: of the test applications the model ranks in the top review"
    " capacity share (the cases officers can review), the share labelled as confirmed"
    " violations (labels as the run's label policy made them).",
    "Presisi pada kapasitas: dari permohonan uji yang diberi peringkat teratas oleh model"
    " sebesar kapasitas tinjauan (kasus yang dapat ditinjau petugas), bagian yang berlabel"
    " pelanggaran terbukti (label sebagaimana dibuat oleh kebijakan label run itu).",
)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "id" else pair[0]


def _attribute(name: str, lang: str) -> str:
    """``age_band`` or an intersection logged as ``sex_age_band``, in words."""
    parts, rest = [], name
    while rest:
        known = next((a for a in _ATTRIBUTES if rest == a or rest.startswith(a + "_")), None)
        head = known or rest.split("_", 1)[0]
        parts.append(_pick(_ATTRIBUTES[head], lang) if known else head)
        rest = rest[len(head) + 1 :]
    return " × ".join(parts)


def metric_label(key: str, lang: str = "en") -> str:
    """A metric key as people read it; an unknown key is returned unchanged.

    Examples
    --------
    >>> metric_label("fairness.nationality.fpr.min_ratio")
    'Fairness, nationality: lowest false positive rate ratio to the reference group'
    >>> metric_label("model.ece")
    'Model: expected calibration error (lower is better)'
    """
    if key == "fairness.pass":
        pair = ("Fairness verdict (1 pass, 0 fail)", "Putusan keadilan (1 lulus, 0 gagal)")
        return _pick(pair, lang)
    if key == "fairness":
        return _pick(("Fairness verdict", "Putusan keadilan"), lang)
    match = _FAIRNESS.fullmatch(key)
    if match and match["metric"] in _RATIO:
        low = match["end"] == "min"
        if lang == "id":
            which = "rasio terendah" if low else "rasio tertinggi"
            return (
                f"Keadilan, {_attribute(match['attr'], lang)}: {which}"
                f" {_pick(_RATIO[match['metric']], lang)} terhadap kelompok acuan"
            )
        which = "lowest" if low else "highest"
        return (
            f"Fairness, {_attribute(match['attr'], lang)}: {which}"
            f" {_pick(_RATIO[match['metric']], lang)} ratio to the reference group"
        )
    scope, _, name = key.partition(".")
    if scope in _SCOPE and name in _BASE:
        text = f"{_pick(_SCOPE[scope], lang)}: {_pick(_BASE[name], lang)}"
        return text[0].upper() + text[1:]
    if key in _BASE:
        text = _pick(_BASE[key], lang)
        return text[0].upper() + text[1:]
    return key


def metric_definition(key: str, lang: str = "en") -> str | None:
    """The definition shown beside a metric, when it has one (precision at capacity)."""
    if key.rpartition(".")[2] == "precision_at_capacity":
        return _pick(PRECISION_DEFINITION, lang)
    return None
