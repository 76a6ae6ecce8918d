"""What must not be recognisable, found and destroyed: the detectors and box blurs that the
anonymizer's live view and the api's self-disclosure redaction share (no bus, no storage)."""
