"""Settings of the daphne process that serves the browser tests: the project's own settings, pointed at
the test database the pytest process created (its name comes in CROWDAL_TEST_DATABASE_NAME)."""

import os

from crowdal_site.settings import *  # noqa: F403
from crowdal_site.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["CROWDAL_TEST_DATABASE_NAME"]
