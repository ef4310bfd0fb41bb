"""The "on the imputed data" option of the model tabs (Outcome, Regression, Survival).

Shown only when imputation is set up on the Data cleaning tab (the cleaned Dataset carries its
settings, `Dataset.imputation`); default off, so a tab runs on the complete cases as before.
Ticked, the tab's spec carries the settings and logic.run adds the pooled model to the result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from modules.shared.controls import Checkbox, Settings


def _set_up(s: Settings) -> bool:
    return s.ds is not None and getattr(s.ds, "imputation", None) is not None


def _label() -> str:
    return "Also on the imputed data (pooled by Rubin's rules)"


IMPUTED_CONTROL = Checkbox("imputed", _label(), visible=_set_up)


def with_imputation(spec: Any, s: Settings) -> Any:
    """The spec with the session's imputation settings when the option is ticked."""
    if not s["imputed"] or not _set_up(s):
        return spec
    return replace(spec, imputation=s.ds.imputation)
