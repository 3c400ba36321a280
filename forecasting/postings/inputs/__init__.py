"""Validation of user time-series files (series_id, ds, y), shared by the CLI and the upload page.

Everything a person can upload passes through ``read.read_series_csv``, so the rest of the
library can assume clean data: sorted, no duplicates, finite ``y``, one regular frequency per
series. Fixable quirks (encodings, separators, decimal commas, column aliases, time zones,
month-end dates, exact duplicates, trailing blanks) are repaired and listed in ``notes``;
anything that would need a guess is refused with one ``UserInputError`` naming the
problem and the first offending line (1-based, header = line 1) and/or column.
Policies are documented in docs/RELIABILITY.md.

The steps, one module each: ``text`` (bytes -> decoded lines), ``columns`` (lines -> the three
columns), ``values`` (dates, numbers, duplicates, missing values, lengths), ``spacing`` (one
regular frequency per series), ``read`` (the door that runs them); ``rules`` holds the limits,
the horizon check and the message helper every step shares. May import ``core`` and
``postings.frequency``.
"""
