"""Export and analysis stay light: no Textual, no torch (nor pyarrow/sklearn until used)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_export_and_analysis_import_no_ui_or_torch() -> None:
    code = (
        "import sys, json\n"
        "import modtool.export, modtool.analysis.aggregate, modtool.analysis.agreement\n"
        "import modtool.analysis.calibrate, modtool.analysis.stats, modtool.cli.export\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'textual', 'torch', 'transformers', 'detoxify', 'pyarrow', 'sklearn', 'pandas'})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []
