"""Pure statistics on pandas/numpy. Never imports shiny, logic, modules or utils."""
