"""The one exception type a user ever sees.

Anything the player, installer or maintainer can fix (a missing model, a corrupt file, a bad
config value, no camera) raises ``EdgePacError`` with one line that says what is wrong and what
to do. The CLI prints that line and exits 2; it never shows a traceback for these.
"""


class EdgePacError(Exception):
    """A problem the user can fix; ``str(err)`` is one line that says how."""
