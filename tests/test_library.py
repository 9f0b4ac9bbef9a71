"""graph/ is a plain library: importable without Flask."""

import subprocess
import sys


def test_graph_imports_without_flask():
    code = ("import sys; import xiancheng.graph, xiancheng.graph.release, xiancheng.graph.store, "
            "xiancheng.graph.reason, xiancheng.graph.validate, xiancheng.graph.queries; "
            "assert 'flask' not in sys.modules, 'flask was imported'; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
