"""Script export: a standalone Python script that redoes a session's tables from the raw file.

`script_for(read_options, steps, runs)` is a pure function of how the file was read, the
cleaning steps and the analyses run; `script_download` offers it in every analysis tab whose
analysis it can write (SCRIPTED_KINDS).
"""

from modules.shared.script_export.cleaning import ScriptError
from modules.shared.script_export.generate import script_for
from modules.shared.script_export.runs import SCRIPTED_KINDS

__all__ = ["SCRIPTED_KINDS", "ScriptError", "script_for"]
