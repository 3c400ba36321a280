"""Role x industry coherence: industries add up to their role, roles add up to the total.

Choice: bottom-up. The scenario engine works on the finest level (role x industry cells) and
every override is expressed there (role anchors apply to each of the role's cells, industry
adjustments to each industry's cells), so summing the cells is exact and cannot contradict what
the user set. MinT-style reconciliation would need a forecast-error covariance across cells,
which five annual OEWS points cannot estimate credibly; it would also move user-set numbers.

Interval bounds of aggregates are the sums of the cell bounds, i.e. the cells are treated as
perfectly correlated. That is conservative (too wide rather than too narrow), and it keeps
``lo <= mean <= hi`` for every aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from forecasting.core import catalog

ALL = "all"
AI_ML_GROUP = "ai_ml_specialists"
VALUE_COLUMNS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")


def sum_by(frame: pd.DataFrame | Mapping[str, np.ndarray], by: Sequence[str],
           values: Sequence[str], skipna: bool = True) -> dict[str, np.ndarray]:
    """Sum ``values`` over the rows that share ``by`` (every other column dropped), as arrays,
    groups in the order they first appear; NaN counts as 0, as in ``groupby().sum()`` (with
    ``skipna=False`` a NaN makes its group's sum NaN). The one
    group-sum kernel behind every total: numpy factorize + bincount, because at the few hundred
    to few thousand rows of a projection pandas' groupby and frame building (~5 ms a call on
    arrow strings) dominated the Demand and Scenarios reruns."""
    cols = {c: np.asarray(frame[c]) for c in (*by, *values)}
    n = len(next(iter(cols.values()))) if cols else 0
    codes, uniques = [], []
    for c in by:
        cd, un = pd.factorize(cols[c], sort=False)
        codes.append(cd)
        uniques.append(np.asarray(un, dtype=object if un.dtype.kind in "OUT" else un.dtype))
    sizes = [len(u) for u in uniques]
    flat = np.ravel_multi_index(codes, sizes) if by and n else np.zeros(n, np.int64)
    keys, first, inv = np.unique(flat, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")          # groups in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    inv, keys = rank[inv.ravel()], keys[order]
    out: dict[str, np.ndarray] = {}
    if by:
        for c, u, i in zip(by, uniques, np.unravel_index(keys, sizes)):
            out[c] = u[i]
    for v in values:
        w = cols[v].astype(float)
        w = np.nan_to_num(w, nan=0.0) if skipna else w
        out[v] = np.bincount(inv, weights=w, minlength=len(keys))
    return out


def with_totals(cells: pd.DataFrame, ai_ml_group: bool = True,
                ai_ml_roles: Sequence[str] | None = None) -> pd.DataFrame:
    """Add ``industry == "all"`` rows per role, ``role == "all"`` rows (per industry and overall)
    and, optionally, ``role == "ai_ml_specialists"`` rows (the WEF group), by summing cells.
    ``ai_ml_roles``: the group's roles (default every AI/ML specialist role)."""
    keys = [c for c in cells.columns if c not in VALUE_COLUMNS and c not in ("role", "industry")]
    values = [c for c in VALUE_COLUMNS if c in cells.columns]
    arrays = {c: cells[c].to_numpy() for c in cells.columns}
    role_col, ind_col = arrays["role"].astype(object), arrays["industry"].astype(object)
    keep = (role_col != ALL) & (ind_col != ALL) & (role_col != AI_ML_GROUP)
    base = {c: a[keep] for c, a in arrays.items()}
    parts = [base]
    role_tot = sum_by(base, ["role", *keys], values)
    parts.append({**role_tot, "industry": np.full(len(role_tot["role"]), ALL, object)})
    groups = [(ALL, base)]
    if ai_ml_group:
        roles = catalog.AI_ML_SPECIALIST_ROLES if ai_ml_roles is None else tuple(ai_ml_roles)
        in_group = np.isin(base["role"].astype(object), roles)
        groups.append((AI_ML_GROUP, {c: a[in_group] for c, a in base.items()}))
    for label, sub in groups:
        by_ind = sum_by(sub, ["industry", *keys], values)
        parts.append({**by_ind, "role": np.full(len(by_ind["industry"]), label, object)})
        total = sum_by(sub, keys, values)
        m = len(total[values[0]]) if values else len(total[keys[0]])
        parts.append({**total, "role": np.full(m, label, object), "industry": np.full(m, ALL, object)})
    return pd.DataFrame({c: pd.array(np.concatenate([p[c] for p in parts]), dtype=cells[c].dtype)
                         for c in cells.columns})


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
