"""Ingest: pulls cameras and puts their compressed video on the bus, unmodified (I1-I3, R1)."""
