"""The heavy libraries the pages use, imported in one place before any session needs them.

plotly imports pandas and numpy lazily; two sessions of a fresh server drawing their first chart at
once could meet a half-imported pandas ("partially initialized module 'pandas'", STACK_NOTES §5).
Importing them here, when app.py is first run (its first `ui` import) or by server.py's warm start
before the server accepts anyone, closes that race and takes their import time (about 0.7 s) off
the first visitor's page.
"""

import numpy
import pandas
import plotly
import plotly.express
import plotly.graph_objects

LOADED = (numpy, pandas, plotly)  # a use, so that nothing tidies these imports away
