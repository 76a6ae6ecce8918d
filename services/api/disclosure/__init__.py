"""Footage disclosure (issue 11; A1-A5, R4-R6): provision requests (Midori 様式第1号), preservation and
legal holds, audited exports with signed custody manifests, one-time download links, and the
registers (様式第2号 provision register, Tottori 別記様式 viewing log).

Pure rules live in `model` and `custody`; `store_*` keep state in the api database; `service`
orchestrates one action at a time (each audited); `routes_*` are the HTTP surface.
"""
