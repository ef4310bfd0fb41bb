"""The one error type the statistics core raises for data that cannot support an analysis."""


class AnalysisError(ValueError):
    """An analysis cannot run on this data; the message says what to change."""
