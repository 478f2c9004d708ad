"""vien: an offline Vietnamese->English annotation pipeline."""
__version__ = "0.1.0"

# The reading API, imported on first use so that `import pipeline` (and `vien --help`) stays light.
_LAZY = {"load": "corpus", "Corpus": "corpus"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
