"""AppTest runs the app in the test process: no background image-server warm-up there (it would
launch Chromium in every worker; tests that export images start it themselves)."""

import os

os.environ.setdefault("MLTALENT_EXPORT_WARM_UP", "0")
