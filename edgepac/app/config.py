"""The config moved below the app (``edgepac.config``): camera and controls read their sections
from it without importing the app. This name stays for callers not yet moved."""

import sys

from edgepac.config import *  # noqa: F403
from edgepac.config import example

if __name__ == "__main__":
    sys.stdout.write(example())
