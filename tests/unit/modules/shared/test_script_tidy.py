"""The script's header keeps only the imports its code reads from the module's scope."""

from __future__ import annotations

from modules.shared.script_export.tidy import used_imports

HEADER = """from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import special, stats
"""


def test_unused_imports_and_names_go_and_the_rest_stay():
    body = "def f(x):\n    return np.sqrt(x) + stats.norm.ppf(0.5)\n"
    assert used_imports(HEADER, body) == (
        "from __future__ import annotations\n\nimport numpy as np\nfrom scipy import stats\n"
    )


def test_a_function_s_own_import_assignment_or_argument_is_not_a_use():
    body = (
        "def f(math):\n    return math\n\n"
        "def g():\n    import warnings\n    warnings.warn('x')\n\n"
        "class R:\n    warnings: tuple = ()\n\n"
        "def h():\n    np = 1\n    return np\n"
    )
    assert used_imports(HEADER, body) == "from __future__ import annotations\n"


def test_a_use_at_module_level_or_in_a_decorator_keeps_the_import():
    body = "@special.cache\ndef f():\n    pass\n\nX = math.pi\n"
    kept = used_imports(HEADER, body)
    assert "import math\n" in kept and "from scipy import special\n" in kept
    assert "stats" not in kept and "numpy" not in kept
