"""The screens moved to the package ``edgepac.app.screens``; this name stays for branches that
still import it today."""

from edgepac.app.screens import *  # noqa: F403
from edgepac.app.screens import __all__  # noqa: F401
