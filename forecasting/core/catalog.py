"""Roles, industries and the documented rule that ties each to real source series.

No public source counts "NLP scientists in automotive", so every role level is built from
BLS OEWS employment by an explicit rule, and every rule is visible to the user:

* ``measured``: the role *is* a BLS SOC occupation.
* ``proxy``: the role is represented by the closest SOC occupation.
* ``derived``: a measured SOC level times a measured share (ai-jobs.net title shares or the
  Indeed AI share of postings), carved out so that roles never double count people.

Roles are disjoint by construction, so "roles sum to the total" holds without overlap:
total = 15-2051 + 15-1252 + 15-1221 + 15-1243 + (11-3021 x AI share of postings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LevelKind = Literal["measured", "proxy", "derived"]


@dataclass(frozen=True)
class Role:
    """One of the seven roles the product forecasts."""

    role_id: str
    label: str
    level_kind: LevelKind
    #: SOC code whose OEWS employment is the base of the level (and its industry mix).
    base_soc: str
    #: Human-readable rule for the level; shown on the Data & methods page.
    level_rule: str
    #: series_id of the monthly Indeed postings series used as this role's demand signal.
    demand_signal: str
    #: BLS Employment Projections occupation used for the BLS 2024-34 anchor.
    ep_soc: str
    #: True when the role is what WEF counts as "AI and machine learning specialists" (the WEF
    #: 2023 anchor's scope): ML engineers, ML scientists and NLP scientists. Data scientists and
    #: ML product managers are separate occupations in WEF's taxonomy, so they are not.
    ai_ml_specialist: bool
    #: ai-jobs.net job titles mapped to this role (exact, case-sensitive as in the file).
    aijobs_titles: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Industry:
    """An industry group built from OEWS NAICS sectors (natsector files)."""

    industry_id: str
    label: str
    #: 2-digit NAICS sector codes as they appear in the natsector files.
    naics: tuple[int, ...]
    rule: str


#: SOC codes whose national OEWS rows are loaded. 2020 uses hybrid codes (see SOC_2020_HYBRID).
CATALOG_SOCS: tuple[str, ...] = (
    "15-2051",  # Data Scientists
    "15-1252",  # Software Developers
    "15-1221",  # Computer and Information Research Scientists
    "15-1243",  # Database Architects (O*NET 15-1243.01 Data Warehousing Specialists)
    "11-3021",  # Computer and Information Systems Managers
    "15-2031",  # Operations Research Analysts (context)
    "15-2041",  # Statisticians (context)
    "15-1211",  # Computer Systems Analysts (context)
    "00-0000",  # All occupations (context, denominators)
)

#: The May year whose file used hybrid codes (SOC 2010 -> 2018 transition), NOT comparable with
#: the later detailed codes: a fact of that one published file, not a data vintage.
SOC_HYBRID_YEAR = 2020
SOC_2020_HYBRID: dict[str, str] = {
    "15-2051": "15-2098",  # Data Scientists and Mathematical Science Occupations, All Other
    "15-1252": "15-1256",  # Software Developers and Software Quality Assurance Analysts and Testers
}

#: ai-jobs.net titles per role (exact strings from salaries.csv). Each title belongs to at most
#: one role; titles that fit none are "other" in forecasting.salaries.bands (see OTHER_TITLE_REASONS
#: there). Generic titles ("Engineer", "Manager", "Product Manager") stay out on purpose: they
#: would make a role's band a band of the whole board. Also used by headcount/role_levels.py for shares.
MLE_TITLES = ("Machine Learning Engineer", "ML Engineer", "Machine Learning Software Engineer",
              "AI Engineer", "Artificial Intelligence Engineer", "Deep Learning Engineer",
              "MLOps Engineer", "Machine Learning Infrastructure Engineer",
              "ML Infrastructure Engineer", "Machine Learning Platform Engineer",
              "Machine Learning Model Engineer", "Computer Vision Engineer",
              "Computer Vision Software Engineer", "AI Developer", "AI Software Engineer",
              "Machine Learning Developer", "Lead Machine Learning Engineer",
              "Principal Machine Learning Engineer", "Staff Machine Learning Engineer",
              "Applied Machine Learning Engineer", "AI Machine Learning Engineer",
              "Lead AI Engineer")
NLP_TITLES = ("NLP Engineer", "NLP Scientist", "NLP Researcher", "Natural Language Processing Engineer",
              "Natural Language Processing Scientist", "Prompt Engineer")
ML_SCIENTIST_TITLES = ("Machine Learning Scientist", "Research Scientist", "Applied Scientist",
                       "AI Research Scientist", "AI Scientist", "AI Researcher",
                       "Machine Learning Researcher", "Research Engineer",
                       "Machine Learning Research Engineer", "Applied Machine Learning Scientist",
                       "Applied Research Scientist", "Deep Learning Researcher",
                       "AI Research Engineer", "Computer Vision Scientist")
DS_TITLES = ("Data Scientist", "Applied Data Scientist", "AI Data Scientist", "Lead Data Scientist",
             "Data Scientist Lead", "Principal Data Scientist", "Staff Data Scientist",
             "Marketing Data Scientist", "Data Science", "Data Science Manager",
             "Data Science Lead", "Data Science Consultant", "Director of Data Science",
             "Head of Data Science", "Decision Scientist")
BI_TITLES = ("BI Developer", "Business Intelligence Developer", "Business Intelligence Engineer",
             "BI Analyst", "BI Data Analyst", "Business Intelligence Analyst",
             "Business Intelligence Data Analyst", "Business Intelligence",
             "Power BI Developer", "BI Engineer", "Business Intelligence Specialist",
             "Business Intelligence Lead", "Business Intelligence Manager",
             "Data Warehouse Engineer")
SWE_TITLES = ("Software Engineer", "Software Developer", "Software Development Engineer",
              "Developer", "Backend Engineer", "Backend Developer", "Backend Software Engineer",
              "Full Stack Engineer", "Fullstack Engineer", "Full Stack Developer",
              "Python Developer", "Staff Software Engineer", "Senior Software Engineer",
              "Software Engineering Manager")
MLPM_TITLES = ("AI Product Manager", "Machine Learning Product Manager", "Data Product Manager",
               "AI Product Owner", "Data Product Owner")

ROLES: tuple[Role, ...] = (
    Role("ml_engineer", "ML engineer", "derived", "15-1252",
         "Data Scientists (15-2051) x (ML-engineer titles / data-scientist titles) in US "
         "ai-jobs.net records (pooled over work_years with >= 1,000 US records); carved out of "
         "Software Developers (15-1252), "
         "where BLS codes most ML engineers, so it takes 15-1252's industry mix.",
         "us_ai_share", "15-1252", True, MLE_TITLES),
    Role("data_scientist", "Data scientist", "measured", "15-2051",
         "BLS OEWS 15-2051 Data Scientists (May 2021 on; the May 2020 hybrid 15-2098 is not "
         "comparable and is marked as a break).",
         "us_sector_mathematics", "15-2051", False, DS_TITLES),
    Role("nlp_scientist", "NLP scientist", "derived", "15-1221",
         "Computer & Information Research Scientists (15-1221) x NLP share of research titles in "
         "US ai-jobs.net records, pooled over work_years with >= 1,000 US records (small n: flagged).",
         "us_genai_share", "15-1221", True, NLP_TITLES),
    Role("bi_developer", "BI developer", "proxy", "15-1243",
         "Proxy: Database Architects (15-1243), the SOC that holds O*NET 15-1243.01 Data "
         "Warehousing Specialists.",
         "us_sector_information_design_documentation", "15-1243", False, BI_TITLES),
    Role("software_engineer", "Software engineer", "derived", "15-1252",
         "BLS OEWS 15-1252 Software Developers minus the ML-engineer carve-out (May 2020 uses "
         "hybrid 15-1256 incl. QA testers: break).",
         "us_sector_software_development", "15-1252", False, SWE_TITLES),
    Role("ml_scientist", "ML scientist", "proxy", "15-1221",
         "Proxy: Computer & Information Research Scientists (15-1221) minus the NLP-scientist "
         "carve-out.",
         "us_sector_scientific_research_development", "15-1221", True, ML_SCIENTIST_TITLES),
    Role("ml_product_manager", "ML product manager", "derived", "11-3021",
         "Computer & Information Systems Managers (11-3021) x Indeed US AI share of job postings "
         "(annual mean of monthly values, %/100).",
         "us_ai_share", "11-3021", False, MLPM_TITLES),
)

ROLE_IDS: tuple[str, ...] = tuple(r.role_id for r in ROLES)
AI_ML_SPECIALIST_ROLES: tuple[str, ...] = tuple(r.role_id for r in ROLES if r.ai_ml_specialist)

#: Manufacturing (NAICS 31-33) appears as sector 31 in the natsector files.
INDUSTRIES: tuple[Industry, ...] = (
    Industry("fintech", "Fintech (finance & insurance)", (52,), "NAICS 52 Finance and Insurance"),
    Industry("healthtech", "Healthtech (health care)", (62,), "NAICS 62 Health Care and Social Assistance"),
    Industry("automotive", "Automotive", (31,),
             "Share of NAICS 31-33 Manufacturing: AI-using companies in NAICS 3361-63 over AI-using "
             "manufacturing companies (NCSES ABS 2022, table CET-33); user can override."),
    Industry("manufacturing_other", "Other manufacturing", (31,),
             "NAICS 31-33 Manufacturing minus the automotive share"),
    Industry("information", "Information & tech", (51,), "NAICS 51 Information"),
    Industry("professional_services", "Professional & technical services", (54,),
             "NAICS 54 Professional, Scientific and Technical Services"),
    Industry("other", "All other industries", (),
             "Every other NAICS sector (incl. 55 Management of companies, 99 Government)"),
)
INDUSTRY_IDS: tuple[str, ...] = tuple(i.industry_id for i in INDUSTRIES)
EXPLICIT_NAICS: frozenset[int] = frozenset(n for i in INDUSTRIES for n in i.naics)

#: Colour-blind-safe palette (Okabe-Ito), one colour per role, the same on every chart.
ROLE_COLOURS: dict[str, str] = {
    "ml_engineer": "#0072B2",
    "data_scientist": "#E69F00",
    "nlp_scientist": "#009E73",
    "bi_developer": "#CC79A7",
    "software_engineer": "#56B4E9",
    "ml_scientist": "#D55E00",
    "ml_product_manager": "#7F7F7F",
}
INDUSTRY_COLOURS: dict[str, str] = {
    "fintech": "#0072B2",
    "healthtech": "#009E73",
    "automotive": "#D55E00",
    "manufacturing_other": "#E69F00",
    "information": "#56B4E9",
    "professional_services": "#CC79A7",
    "other": "#999999",
}


def role(role_id: str) -> Role:
    """Look up a role by id, with a message that lists the valid ids."""
    for r in ROLES:
        if r.role_id == role_id:
            return r
    raise KeyError(f"unknown role {role_id!r}; valid roles: {', '.join(ROLE_IDS)}")


def industry(industry_id: str) -> Industry:
    """Look up an industry by id, with a message that lists the valid ids."""
    for i in INDUSTRIES:
        if i.industry_id == industry_id:
            return i
    raise KeyError(f"unknown industry {industry_id!r}; valid industries: {', '.join(INDUSTRY_IDS)}")
