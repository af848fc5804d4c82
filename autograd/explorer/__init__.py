"""The explorer: a self-contained interactive page that steps through a graph's backprop, in any browser.

``explore(y)`` shows inline in Jupyter; ``explore(y).save("page.html")`` writes one HTML file that needs no
network and no kernel. ``page.py`` builds it, ``page.js`` and ``page.css`` are the page's own script and style.
"""

from .page import MAX_INPUTS, Explorer, explore

__all__ = ["explore", "Explorer", "MAX_INPUTS"]
