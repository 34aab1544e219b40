"""scaffold: start a new Python backend on the stack that fits what you are building."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scaffold")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
