"""modtool: moderate comment threads and study their discourse from the terminal."""

__version__ = "0.1.0"
