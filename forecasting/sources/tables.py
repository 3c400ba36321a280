"""Two reference tables -> tidy frames: BLS Employment Projections (Table 1.2 of the EP
workbook, thousands of jobs -> persons) and NCSES ABS table CET-33 (share of companies using AI,
by industry; each ``[value, flag]`` cell keeps its flag).

Why together: both are single-file, single-vintage tables read once and cached by their hash.
"""

from __future__ import annotations

import ast
import re

import pandas as pd

from forecasting.core.errors import DataFileError
from forecasting.sources import files, registry

#: BLS projects employment ten years past the base year of each vintage (e.g. 2024-34).
EP_HORIZON = 10
_EP_CODE = re.compile(r"\s*(\d{4}) National Employment Matrix code\s*")


def _ep_headers(base: int) -> dict[str, str]:
    """Table 1.2's column headers for the vintage whose base year is ``base``."""
    end = base + EP_HORIZON
    span = f"{base}–{end % 100:02d}"
    return {
        "title": f"{base} National Employment Matrix title",
        "soc": f"{base} National Employment Matrix code",
        "occupation_type": "Occupation type",
        "emp_base": f"Employment, {base}",
        "emp_target": f"Employment, {end}",
        "change_num": f"Employment change, numeric, {span}",
        "change_pct": f"Employment change, percent, {span}",
        "openings_annual": f"Occupational openings, {span} annual average",
        "median_wage": f"Median annual wage, dollars, {base}[1]",
    }


def build_bls_ep() -> pd.DataFrame:
    """Table 1.2 in persons; ``base_year``/``target_year`` are read from its header row."""
    rel = registry.EP_FILE
    raw = files.read_xlsx(rel, sheet_name="Table 1.2", header=None)
    found = [(i, m) for i, row in raw.iterrows() for cell in row
             if (m := _EP_CODE.fullmatch(str(cell)))]
    if not found:
        raise DataFileError(f"{rel}: sheet 'Table 1.2' has no header "
                            "'YYYY National Employment Matrix code'")
    h, m = found[0]
    base = int(m.group(1))
    headers = _ep_headers(base)
    raw.columns = [str(c).strip() for c in raw.iloc[h]]
    body = raw.iloc[h + 1:].reset_index(drop=True)
    files.require(body, headers.values(), rel + " (Table 1.2)")
    body = body[body[headers["soc"]].astype(str).str.fullmatch(r"\d\d-\d{4}")]
    out = pd.DataFrame({k: body[v].values for k, v in headers.items()})
    out["soc"] = out["soc"].astype(str)
    out["title"] = out["title"].astype(str).str.strip()
    out["occupation_type"] = out["occupation_type"].astype(str)
    for col in ("emp_base", "emp_target", "change_num", "openings_annual"):
        # Table 1.2 is in thousands of jobs; persons = thousands x 1000 (rounded off float noise).
        out[col] = (files.numeric(out[col], rel, headers[col]) * 1000).round()
    out["change_pct"] = files.numeric(out["change_pct"], rel, headers["change_pct"])
    wage = out["median_wage"].astype(str).str.replace(r"[,$]", "", regex=True)
    out["median_wage"] = pd.to_numeric(wage, errors="coerce")  # '—' / '>=...' -> NaN
    files.non_negative(out, "emp_base", rel)
    files.non_negative(out, "emp_target", rel)
    out["base_year"] = base
    out["target_year"] = base + EP_HORIZON
    return out.reset_index(drop=True)


def load_bls_ep() -> pd.DataFrame:
    """BLS Employment Projections (the vintage present), Table 1.2, employment in persons."""
    return files.cached_load("bls_ep", [registry.EP_FILE], build_bls_ep, version=2).copy()


# --------------------------------------------------------------------------- NCSES
def _ncses_cell(cell: object, rel: str, col: str, row: int) -> tuple[float, str]:
    """"['1,234', 'r']" -> (1234.0, 'r'); '&nbsp;' means no flag; 'D' etc. -> NaN."""
    try:
        parts = ast.literal_eval(str(cell))
        value, flag = str(parts[0]).strip(), str(parts[1]).strip()
    except (ValueError, SyntaxError, IndexError, TypeError):
        raise DataFileError(f"{rel}: row {row}, column {col}: cannot parse {cell!r} "
                            "as ['value', 'flag']") from None
    flag = "" if flag in ("&nbsp;", "") else flag
    num = pd.to_numeric(value.replace(",", ""), errors="coerce")
    if pd.isna(num) and not flag:
        flag = value  # e.g. 'D' suppressed, 'X' not applicable: keep the marker, no number
    return float(num), flag


def build_ncses() -> pd.DataFrame:
    rel = registry.NCSES_FILE
    raw = pd.read_csv(files.raw_path(rel), dtype=str)
    fields = {"companies": "field_companies_number_", "a_lot": "field_a_lot",
              "somewhat": "field_somewhat", "a_little": "field_a_little",
              "not_at_all": "field_not_at_all"}
    files.require(raw, ["table_id", "industry_full_path", "industry_hierarchy_depth",
                   "field_naics_code", *fields.values()], rel)
    out = pd.DataFrame({
        "table_id": raw["table_id"].astype(str),
        "naics_code": raw["field_naics_code"].astype(str).str.strip(),
        "industry": raw["industry_full_path"].astype(str).str.split("->").str[-1].str.strip(),
        "depth": files.numeric(raw["industry_hierarchy_depth"], rel, "industry_hierarchy_depth").astype(int),
    })
    flags = [[] for _ in range(len(raw))]
    for name, col in fields.items():
        vals = []
        for i, cell in enumerate(raw[col]):
            v, f = _ncses_cell(cell, rel, col, i + 2)
            vals.append(v)
            if f and f not in flags[i]:
                flags[i].append(f)
        out[name] = vals
    out["flag"] = [",".join(f) for f in flags]
    for col in fields:
        files.non_negative(out, col, rel)
    pct = out[["a_lot", "somewhat", "a_little", "not_at_all"]]
    if (pct > 100).any().any():
        raise DataFileError(f"{rel}: a percentage above 100")
    return out


def load_ncses_ai_use() -> pd.DataFrame:
    """NCSES ABS table CET-33 (11545): % of companies using AI, by industry, data year 2021."""
    return files.cached_load("ncses_ai_use", [registry.NCSES_FILE], build_ncses).copy()

