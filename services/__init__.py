"""roadcam services: one package per deployable service (`python -m services.<name>`)."""
