"""Preparing variables: value labels, derived variables (rescaled, transformed, cut into
groups, combined levels, formulas) and row filters with their flow counts.

Each is a cleaning step: a frozen dataclass that derives a new Dataset (and fingerprint) from
the one it is given, listed in the recode map, undone by dropping it. Pure functions of a
Dataset: no Shiny, no logic, no cache; `logic` is the door the UI goes through.
"""
