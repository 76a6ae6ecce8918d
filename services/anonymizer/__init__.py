"""Anonymizer: decoded camera frames -> downscaled, blurred, masked public HLS (V1-V3)."""
