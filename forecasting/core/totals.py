"""Role x industry coherence: industries add up to their role, roles add up to the total.

Choice: bottom-up. The scenario engine works on the finest level (role x industry cells) and
every override is expressed there (role anchors apply to each of the role's cells, industry
adjustments to each industry's cells), so summing the cells is exact and cannot contradict what
the user set. MinT-style reconciliation would need a forecast-error covariance across cells,
which five annual OEWS points cannot estimate credibly; it would also move user-set numbers.
When a level is fixed at an aggregate (a role's saturation cap, a re-split of manufacturing),
``scale_to_totals`` spreads it proportionally over the cells (top-down by current shares), after
which the bottom-up sums hold again.

Interval bounds of aggregates are the sums of the cell bounds, i.e. the cells are treated as
perfectly correlated. That is conservative (too wide rather than too narrow), and it keeps
``lo <= mean <= hi`` for every aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecasting.core import catalog

ALL = "all"
AI_ML_GROUP = "ai_ml_specialists"
VALUE_COLUMNS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")


def with_totals(cells: pd.DataFrame, ai_ml_group: bool = True,
                ai_ml_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """Add ``industry == "all"`` rows per role, ``role == "all"`` rows (per industry and overall)
    and, optionally, ``role == "ai_ml_specialists"`` rows (the WEF group), by summing cells.
    ``ai_ml_roles``: the group's roles (default every AI/ML specialist role)."""
    keys = [c for c in cells.columns if c not in VALUE_COLUMNS and c not in ("role", "industry")]
    values = [c for c in VALUE_COLUMNS if c in cells.columns]
    base = cells[(cells["role"] != ALL) & (cells["industry"] != ALL)]
    base = base[base["role"] != AI_ML_GROUP]
    parts = [base]
    role_tot = base.groupby(["role", *keys], sort=False, as_index=False)[values].sum()
    role_tot["industry"] = ALL
    parts.append(role_tot)
    groups = [(ALL, base)]
    if ai_ml_group:
        roles = catalog.AI_ML_SPECIALIST_ROLES if ai_ml_roles is None else tuple(ai_ml_roles)
        groups.append((AI_ML_GROUP, base[base["role"].isin(roles)]))
    for label, sub in groups:
        by_ind = sub.groupby(["industry", *keys], sort=False, as_index=False)[values].sum()
        by_ind["role"] = label
        total = sub.groupby(keys, sort=False, as_index=False)[values].sum()
        total["role"] = label
        total["industry"] = ALL
        parts += [by_ind, total]
    out = pd.concat(parts, ignore_index=True)
    return out[list(cells.columns)]


def scale_to_totals(cells: pd.DataFrame, role_totals: pd.DataFrame) -> pd.DataFrame:
    """Top-down step: scale each role's cells so they sum to ``role_totals`` (``role, year, mean``),
    keeping industry shares and each cell's relative interval widths."""
    out = cells.copy()
    current = out.groupby(["role", "year"])["mean"].transform("sum")
    target = out.merge(role_totals[["role", "year", "mean"]].rename(columns={"mean": "_t"}),
                       on=["role", "year"], how="left")["_t"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(np.isnan(target) | (current.to_numpy() <= 0), 1.0,
                          target / current.to_numpy())
    for col in VALUE_COLUMNS:
        if col in out.columns:
            out[col] = out[col].to_numpy() * factor
    return out


def coherence_errors(frame: pd.DataFrame, rel_tol: float = 1e-9) -> list[str]:
    """Messages for every place where industries do not sum to the role or roles to the total
    (frame must contain the ``all`` rows, as made by ``with_totals``). Empty list = coherent."""
    keys = [c for c in frame.columns if c not in VALUE_COLUMNS and c not in ("role", "industry")]
    cells = frame[(frame["role"].isin(catalog.ROLE_IDS)) & (frame["industry"] != ALL)]
    errors = []
    checks = [
        (cells.groupby(["role", *keys])["mean"].sum(),
         frame[(frame["role"].isin(catalog.ROLE_IDS)) & (frame["industry"] == ALL)]
         .set_index(["role", *keys])["mean"], "industries vs role"),
        (cells.groupby(keys)["mean"].sum(),
         frame[(frame["role"] == ALL) & (frame["industry"] == ALL)].set_index(keys)["mean"],
         "roles vs total"),
    ]
    for summed, stated, what in checks:
        joined = pd.concat([summed.rename("sum"), stated.rename("stated")], axis=1)
        bad = ~np.isclose(joined["sum"].to_numpy(float), joined["stated"].to_numpy(float), rtol=rel_tol, atol=1e-6)
        for idx in joined.index[bad]:
            row = joined.loc[idx]
            errors.append(f"{what} at {idx}: sum {row['sum']:.3f} != stated {row['stated']:.3f}")
    return errors
