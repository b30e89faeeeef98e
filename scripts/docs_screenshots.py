"""Take the README's screenshots of the HTML view: docs/glue-view.png and docs/whole-graph.png.

    .venv/bin/python scripts/docs_screenshots.py              # builds the sample graph first
    .venv/bin/python scripts/docs_screenshots.py --store exports/sample-store.json

Both are of the bundled sample (data/sample) in offline headless Chromium at 1400 x 900: the
GLUE view (``kg view --entity GLUE``) as it opens, with GLUE selected and its papers' evidence in
the panel; and the whole graph, zoomed in a little from its fitted overview, with a hub clicked
so the panel lists its papers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import headless_chromium, open_page

from kg.exporters.html import write_view
from kg.views import select_view

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1400, 900


def _viewport(driver: object) -> None:
    """Exactly WIDTH x HEIGHT CSS pixels of page, whatever the window's own bars take."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # type: ignore[attr-defined]
                           {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                            "mobile": False})


def _click_node(driver: object, node: str) -> None:
    """Click ``node`` on the canvas as a reader would (fills the side panel)."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", "#kg-network canvas")  # type: ignore[attr-defined]
    x, y, w, h = driver.execute_script(  # type: ignore[attr-defined]
        "const n = window.kgNetwork, id = arguments[0];"
        "const p = n.canvasToDOM(n.getPositions([id])[id]);"
        "const r = arguments[1].getBoundingClientRect(); return [p.x, p.y, r.width, r.height];",
        node, canvas)
    ActionChains(driver).move_to_element_with_offset(  # type: ignore[arg-type]
        canvas, int(x - w / 2), int(y - h / 2)).click().perform()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store of the sample (default: build it)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--hub", default="BERT", help="the node clicked in the whole graph")
    parser.add_argument("--zoom", type=float, default=1.6, help="whole graph: times 'fit'")
    args = parser.parse_args()

    import kg

    store = kg.load(args.store) if args.store else kg.build_graph([ROOT / "data" / "sample"])
    graph = store.graph
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, headless_chromium() as driver:
        _viewport(driver)
        glue = Path(tmp) / "glue.html"
        write_view(select_view(graph, entity="GLUE"), glue)
        result = open_page(driver, glue)
        assert not result["errors"], result["errors"]
        driver.save_screenshot(str(args.out / "glue-view.png"))

        whole = Path(tmp) / "whole.html"
        write_view(select_view(graph), whole)
        result = open_page(driver, whole)
        assert not result["errors"], result["errors"]
        driver.execute_script(  # a little closer than "fit", so the hubs' labels read well
            "const n = window.kgNetwork; n.moveTo({scale: n.getScale() * arguments[0]});",
            args.zoom)
        time.sleep(0.3)
        hub = kg.query.resolve(graph, args.hub)
        _click_node(driver, hub)
        driver.save_screenshot(str(args.out / "whole-graph.png"))
    for name in ("glue-view.png", "whole-graph.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
