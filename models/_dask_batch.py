"""Batch scoring on Dask: each partition scored by the same code, on the local booster.

Each worker loads the bundle from its folder once (the native ``model.txt``, no pickle
crosses the wire) and runs :func:`models.score_batch` on its partition, so a row's
score and reasons are exactly those of one machine: LightGBM scores and explains each
row on its own, whatever else is in the chunk.  The partitions come from the features
engine on Dask (a world folder) or from a feature table (a file or a folder of parts).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from risk.errors import DataFileError
from risk.settings import Settings, get_settings

__all__ = ["score_batch_dask"]


@lru_cache(maxsize=4)
def _bundle(path: str, stamp: float):
    """The bundle at ``path``, loaded once per worker process (``stamp``: its mtime)."""
    from models._load import load_bundle

    return load_bundle(path)


def _score_part(
    bundle_path: str, frame, folder: str, name: str, options: dict[str, Any]
) -> dict[str, Any]:
    from models._batch import score_batch

    path = Path(bundle_path)
    bundle = _bundle(str(path), (path / "model.txt").stat().st_mtime)
    out = Path(folder) / f"{name}.parquet"
    # an empty partition still writes its part, so the folder's schema is whole
    done = score_batch(bundle, frame, out, **options) if frame.height else _empty(bundle, out)
    return {"rows": done["rows"], "flagged": done["flagged"], "part": out.name}


def _empty(bundle, out: Path) -> dict[str, Any]:
    import polars as pl

    from risk.io import write_table

    id_col = bundle.meta.get("id_column", "application_id")
    schema = {id_col: pl.String, "score": pl.Float64, "band": pl.String, "flag": pl.Boolean,
              "reasons_raised": pl.String, "reasons_lowered": pl.String}  # fmt: skip
    write_table(pl.DataFrame(schema=schema), out)
    return {"rows": 0, "flagged": 0}


def _read(piece):
    return piece.read()


def score_batch_dask(
    client: Any,
    bundle_path: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    explain: str = "flagged",
    lang: str = "en",
    top: int = 3,
    chunk_size: int = 50_000,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Score every partition of ``data`` on Dask and write a folder of scored parts.

    Parameters
    ----------
    client
        A ``distributed.Client``.
    bundle_path
        The bundle's folder; every worker must see it (a shared file system).
    data
        A world folder (features computed on Dask first), or a feature table: a
        Parquet file or a folder of parts.
    out
        The folder to write, one part per input partition; built beside its
        destination and moved into place when every part is written.
    explain, lang, top, chunk_size
        As for :func:`models.score_batch`.

    Returns
    -------
    dict
        ``rows``, ``flagged``, ``parts`` and ``out``.
    """
    from features._dask import feature_partitions, path_slices
    from models._batch import EXPLAIN_CHOICES
    from models._load import load_bundle
    from risk.engine import gather
    from risk.errors import ConfigError
    from risk.io import replace_folder, table_path

    settings = settings or get_settings()
    if explain not in EXPLAIN_CHOICES:
        raise ConfigError(f"--explain must be one of {list(EXPLAIN_CHOICES)}, got {explain!r}")
    bundle_path, data = Path(bundle_path).resolve(), Path(data)
    load_bundle(bundle_path)  # a bad bundle fails here, before any task runs
    options = {"explain": explain, "lang": lang, "top": top, "chunk_size": chunk_size}
    with replace_folder(Path(out)) as tmp:
        if data.is_dir() and _is_world(data, table_path):
            parts = feature_partitions(client, data, settings)
        elif data.suffix == ".parquet" or data.is_dir():
            slices = path_slices(data, settings.engine.partition_rows)
            parts = [(s, client.submit(_read, s, pure=False)) for s in slices]
        else:
            raise DataFileError(f"batch input {data} must be a world folder or Parquet table")
        futures = [
            client.submit(_score_part, str(bundle_path), frame, str(tmp), piece.name, options,
                          pure=False)
            for piece, frame in parts
        ]  # fmt: skip
        done = gather(client, futures, what=f"scores of {len(futures)} partitions")
    return {
        "rows": sum(d["rows"] for d in done),
        "flagged": sum(d["flagged"] for d in done),
        "parts": len(done),
        "out": str(out),
    }


def _is_world(path: Path, table_path) -> bool:
    try:
        table_path(path, "applications")
    except DataFileError:
        return False
    return True
