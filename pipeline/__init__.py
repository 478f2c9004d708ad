"""vien: an offline Vietnamese->English annotation pipeline."""
__version__ = "0.1.0"
