"""What every roadcam service shares: settings, logging, bus adapters, metrics, health, errors."""
