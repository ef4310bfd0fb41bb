"""Shiny modules, one per tab, plus the pure table and figure builders they share."""
