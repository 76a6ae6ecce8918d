"""The `roadcam` command. Each `cmd_*.py` module here adds its subcommands via `register()`."""
