"""The walkthrough notebook runs top to bottom, so it never goes stale."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "explore.ipynb"


@pytest.mark.integration
def test_notebook_executes(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "MosaicBERT" in text  # a paper that uses GLUE
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the neighbourhood drawing is shown inline"
    pages = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any(p.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') for p in pages), \
        "the focused view is shown inline"
    assert "GLUE (Dataset), 1 hop | " in text
