"""Settings for the test suite: the regular settings with SPKT_ENV=test."""

import os

os.environ["SPKT_ENV"] = "test"

from config.settings import *  # noqa: F403
