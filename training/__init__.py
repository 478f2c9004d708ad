"""Training recipe for vien's own vi->en translation models (see training/README.md)."""
