"""roadcam: road cameras to an anonymized public live view, traffic counts and lawful recordings."""

__version__ = "0.1.0"
