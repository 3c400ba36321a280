"""Salary bands per role from ai-jobs.net records (the BLS OEWS reference is in
``oews_percentiles``, projected bands in ``projection``).

Why this shape:

* **Title mapping.** ai-jobs.net ``job_title`` values map to the seven roles through the
  ``*_TITLES`` tuples of :mod:`forecasting.core.catalog` (the single source of truth, also used by
  the headcount shares). A title in no tuple becomes role ``"other"``: it is kept, never
  dropped. Every title with at least :data:`MAPPING_MIN_RECORDS` records is either in a role
  tuple or listed in :data:`OTHER_TITLE_REASONS` with the reason it is not a role (tested).
* **Bands.** Percentiles of ``salary_in_usd`` over the filtered records, with pandas' default
  (linear) quantiles, so anyone can recompute them. The median gets a seeded percentile
  bootstrap 95% interval (vectorised numpy; the seed of a cell depends only on the seed and
  the role, so a cell's interval does not change with the other cells computed). Cells with
  n < :data:`SMALL_N` are flagged ``"small n"``; n < :data:`SUPPRESS_N` are ``"suppressed"``
  (percentiles NaN): five self-reported numbers are not a band.

ai-jobs.net records are self-reported and self-selected (a job board's visitors), not a survey.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from forecasting.core import catalog
from forecasting.core.errors import UserInputError

OTHER = "other"
SMALL_N = 30
SUPPRESS_N = 5
MAPPING_MIN_RECORDS = 20
PERCENTILES = (10, 25, 50, 75, 90)
EXPERIENCE_LEVELS = ("EN", "MI", "SE", "EX")
EXPERIENCE_LABELS = {"EN": "Entry", "MI": "Mid", "SE": "Senior", "EX": "Executive"}
COMPANY_SIZES = ("S", "M", "L")
EMPLOYMENT_TYPES = ("FT", "PT", "CT", "FL")
REMOTE_RATIOS = (0, 50, 100)
BAND_COLUMNS = ("role", "n", "p10", "p25", "p50", "p75", "p90", "p50_lo", "p50_hi", "flag")

#: Role order used by every table and chart (catalog order, then "other").
ROLE_ORDER: tuple[str, ...] = catalog.ROLE_IDS + (OTHER,)
ROLE_LABELS: dict[str, str] = {r.role_id: r.label for r in catalog.ROLES} | {OTHER: "Other titles"}


def _title_to_role() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for r in catalog.ROLES:
        for t in r.aijobs_titles:
            if t in mapping and mapping[t] != r.role_id:
                raise ValueError(f"catalog maps title {t!r} to both {mapping[t]} and {r.role_id}")
            mapping[t] = r.role_id
    return mapping


#: job_title -> role_id, built from the catalog tuples (disjoint by construction; checked).
TITLE_TO_ROLE: dict[str, str] = _title_to_role()

_GENERIC = "generic title: the role cannot be told from it"
_DATA_ENG = "data engineering / data management, not one of the seven roles"
_ANALYST = "analyst role (SOC 15-2051 counts some, but the title is not a data scientist)"
_INFRA = "IT / infrastructure / architecture, not software development (other SOCs)"
_OTHER_SCI = "other science or quant field, not ML"
_MANAGER = "people/data manager, not one of the seven roles"

#: Titles with >= MAPPING_MIN_RECORDS records that deliberately map to "other", with why.
OTHER_TITLE_REASONS: dict[str, str] = {
    "Data Engineer": _DATA_ENG, "Data Architect": _DATA_ENG, "Analytics Engineer": _DATA_ENG,
    "Data Manager": _MANAGER, "Data Specialist": _DATA_ENG, "Data Modeler": _DATA_ENG,
    "Data Management Analyst": _DATA_ENG, "Data Management Specialist": _DATA_ENG,
    "Data Quality Analyst": _DATA_ENG, "Data Developer": _DATA_ENG,
    "Data Infrastructure Engineer": _DATA_ENG, "Data Governance": _DATA_ENG,
    "Data Operations Analyst": _DATA_ENG, "Data Governance Analyst": _DATA_ENG,
    "Data Integration Engineer": _DATA_ENG, "Data Operations Engineer": _DATA_ENG,
    "Data Integration Specialist": _DATA_ENG, "Data Governance Specialist": _DATA_ENG,
    "Data Governance Lead": _DATA_ENG, "ETL Developer": _DATA_ENG,
    "Data Quality Engineer": _DATA_ENG, "Cloud Database Engineer": _DATA_ENG,
    "Data Operations Specialist": _DATA_ENG, "Data Quality Lead": _DATA_ENG,
    "Data Governance Manager": _DATA_ENG, "Data Operations Manager": _DATA_ENG,
    "Data Management Lead": _DATA_ENG, "Data Strategist": _DATA_ENG,
    "Encounter Data Management Professional": _DATA_ENG,
    "Data Analyst": _ANALYST, "Analyst": _GENERIC, "Research Analyst": _ANALYST,
    "Business Analyst": _ANALYST, "Product Analyst": _ANALYST, "Insight Analyst": _ANALYST,
    "Data Reporting Analyst": _ANALYST, "Data Analytics Specialist": _ANALYST,
    "Quantitative Analyst": _OTHER_SCI, "Data Analytics Consultant": _ANALYST,
    "Lead Analyst": _ANALYST, "Data Visualization Analyst": _ANALYST,
    "Business Data Analyst": _ANALYST, "Data Visualization Engineer": _ANALYST,
    "Data Visualization Specialist": _ANALYST, "Data Analytics Lead": _MANAGER,
    "Data Analytics Manager": _MANAGER, "Analytics Lead": _MANAGER,
    "Engineer": _GENERIC, "Manager": _GENERIC, "Associate": _GENERIC, "Consultant": _GENERIC,
    "Architect": _GENERIC, "Technical Lead": _GENERIC, "Lead Engineer": _GENERIC,
    "Member of Technical Staff": _GENERIC + " (AI labs use it for research and engineering)",
    "Principal Application Delivery Consultant": _GENERIC,
    "Product Manager": _GENERIC + " (no AI/ML/data in the title)",
    "Product Designer": "design, not one of the seven roles",
    "Engineering Manager": _MANAGER, "Head of Data": _MANAGER, "Data Lead": _MANAGER,
    "Data Team Lead": _MANAGER,
    "Solutions Architect": _INFRA, "Solution Architect": _INFRA, "Solutions Engineer": _INFRA,
    "Systems Engineer": _INFRA, "Platform Engineer": _INFRA, "Site Reliability Engineer": _INFRA,
    "DevOps Engineer": _INFRA, "Cloud Engineer": _INFRA, "Security Engineer": _INFRA,
    "QA Engineer": "quality assurance (SOC 15-1253), not software development",
    "AI Architect": _INFRA + " (AI solution architecture)",
    "AI Specialist": _GENERIC + " (AI, but role unclear)",
    "Robotics Engineer": "robotics / mechatronics engineering, not one of the seven roles",
    "Research Associate": _GENERIC + " (research support, field unknown)",
    "Research Assistant": _GENERIC + " (research support, field unknown)",
    "Statistician": "statistician (SOC 15-2041), a separate occupation",
    "Statistical Programmer": "clinical/statistical programming (SOC 15-2041 area)",
    "Principal Statistical Programmer": "clinical/statistical programming (SOC 15-2041 area)",
    "Quantitative Researcher": _OTHER_SCI, "Bioinformatics Scientist": _OTHER_SCI,
    "Computational Biologist": _OTHER_SCI,
}


# ---------------------------------------------------------------------------------------------
# Loading (forecasting.sources loaders)
# ---------------------------------------------------------------------------------------------

def load_records() -> pd.DataFrame:
    """ai-jobs.net records (``wages.load_aijobs_salaries``) with a ``role`` column."""
    from forecasting.sources.wages import load_aijobs_salaries

    return map_titles(load_aijobs_salaries())


def map_titles(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with ``role`` = the catalog role of ``job_title`` or ``"other"``."""
    out = df.copy()
    out["role"] = out["job_title"].map(TITLE_TO_ROLE).fillna(OTHER).astype(str)
    return out


def title_mapping_summary(df: pd.DataFrame) -> pd.DataFrame:
    """One row per title: role, n records, and (for 'other') the documented reason."""
    counts = df["job_title"].value_counts().rename_axis("job_title").reset_index(name="n")
    counts["role"] = counts["job_title"].map(TITLE_TO_ROLE).fillna(OTHER)
    counts["reason"] = counts["job_title"].map(OTHER_TITLE_REASONS).fillna("")
    counts.loc[(counts["role"] == OTHER) & (counts["reason"] == ""), "reason"] = (
        f"fewer than {MAPPING_MIN_RECORDS} records, not reviewed")
    counts.loc[counts["role"] != OTHER, "reason"] = "catalog title"
    return counts[["role", "job_title", "n", "reason"]]


# ---------------------------------------------------------------------------------------------
# Filters and bands
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BandFilter:
    """Which records a band is computed over; ``None`` means all values."""

    work_year: int | None = 2024
    experience_level: str | None = None
    company_location: str | None = None
    employee_residence: str | None = None
    company_size: str | None = None
    remote_ratio: int | None = None
    employment_type: str | None = "FT"

    def validate(self, df: pd.DataFrame, names: dict[str, str] | None = None) -> None:
        """Raise UserInputError naming the bad filter and listing the valid values.

        ``names`` maps field names to what the user typed (e.g. CLI flags) for the message.
        """
        fixed = {"experience_level": EXPERIENCE_LEVELS, "company_size": COMPANY_SIZES,
                 "employment_type": EMPLOYMENT_TYPES, "remote_ratio": REMOTE_RATIOS}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            valid = fixed.get(f.name) or tuple(sorted(df[f.name].dropna().unique().tolist()))
            if value not in valid:
                who = (names or {}).get(f.name, f.name)
                raise UserInputError(f"{who} {value!r} is not valid; valid values: "
                                     + ", ".join(str(v) for v in valid))

    def label(self) -> str:
        parts = [f"{f.name}={getattr(self, f.name)}" for f in fields(self)
                 if getattr(self, f.name) is not None]
        return ", ".join(parts) or "all records"


def default_work_year(records: pd.DataFrame) -> int:
    """The work year shown first: the one with the most records (the fullest sample; the latest
    year is usually still filling). A tie goes to the later year."""
    counts = records["work_year"].value_counts()
    if counts.empty:
        raise UserInputError("no ai-jobs.net records to choose a work year from")
    return int(max(counts.index, key=lambda y: (counts[y], y)))


def filter_records(df: pd.DataFrame, flt: BandFilter) -> pd.DataFrame:
    """Records matching every non-None field of ``flt``."""
    mask = pd.Series(True, index=df.index)
    for f in fields(flt):
        value = getattr(flt, f.name)
        if value is not None:
            mask &= df[f.name] == value
    return df[mask]


def _cell_seed(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def bootstrap_median_ci(x: np.ndarray, n_boot: int = 2000, seed: int = 0, key: str = "",
                        level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the median, O(n_boot) instead of O(n_boot * n).

    Resampling n values with replacement from sorted ``x`` picks indices floor(n * U) of n
    uniforms U, so the bootstrap median only needs the middle order statistics of U:
    U_(k) ~ Beta(k, n - k + 1) and, given U_(k) = u, U_(k+1) = u + (1 - u) Beta(1, n - k).
    Drawing those directly gives exactly the distribution of ``np.median(resample)``
    (checked against naive resampling in the tests) at a cost independent of n.
    """
    xs = np.sort(np.asarray(x, dtype=float))
    n = xs.size
    if n == 0:
        return math.nan, math.nan
    rng = _cell_seed(seed, key)
    k = (n + 1) // 2  # 1-based rank of the (lower) middle order statistic
    u_k = rng.beta(k, n - k + 1, size=n_boot)
    i_k = np.minimum((u_k * n).astype(np.int64), n - 1)
    if n % 2:
        meds = xs[i_k]
    else:
        u_k1 = u_k + (1 - u_k) * rng.beta(1, n - k, size=n_boot)
        i_k1 = np.minimum((u_k1 * n).astype(np.int64), n - 1)
        meds = (xs[i_k] + xs[i_k1]) / 2
    alpha = (1 - level) / 2
    lo, hi = np.quantile(meds, [alpha, 1 - alpha])
    return float(lo), float(hi)


def bootstrap_median_ci_naive(x: np.ndarray, n_boot: int = 2000, seed: int = 0,
                              level: float = 0.95) -> tuple[float, float]:
    """Plain resampling bootstrap (reference for tests; O(n_boot * n) memory in chunks)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    rng = np.random.default_rng(seed)
    chunk = max(1, 4_000_000 // n)
    meds = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        meds[start:stop] = np.median(x[rng.integers(0, n, size=(stop - start, n))], axis=1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(meds, [alpha, 1 - alpha])
    return float(lo), float(hi)


def _flag(n: int) -> str:
    if n < SUPPRESS_N:
        return "suppressed"
    if n < SMALL_N:
        return "small n"
    return ""


def bands(df: pd.DataFrame, flt: BandFilter | None = None, roles: tuple[str, ...] | None = None,
          n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Band per role (columns :data:`BAND_COLUMNS`) over records of ``df`` matching ``flt``.

    ``df`` must carry ``role`` (see :func:`map_titles`). Every requested role gets a row, even
    with n = 0, so tables and charts keep a stable shape.
    """
    flt = BandFilter() if flt is None else flt
    roles = ROLE_ORDER if roles is None else roles
    sub = filter_records(df, flt)
    rows = []
    for role_id in roles:
        x = sub.loc[sub["role"] == role_id, "salary_in_usd"].astype(float)
        n = int(x.size)
        flag = _flag(n)
        row = {"role": role_id, "n": n, "flag": flag}
        if flag == "suppressed":
            row.update({f"p{p}": math.nan for p in PERCENTILES} | {"p50_lo": math.nan,
                                                                  "p50_hi": math.nan})
        else:
            q = x.quantile([p / 100 for p in PERCENTILES])
            row.update({f"p{p}": float(v) for p, v in zip(PERCENTILES, q.to_numpy())})
            row["p50_lo"], row["p50_hi"] = bootstrap_median_ci(
                x.to_numpy(), n_boot=n_boot, seed=seed, key=role_id)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(BAND_COLUMNS))
    out["n"] = out["n"].astype(int)
    return out
