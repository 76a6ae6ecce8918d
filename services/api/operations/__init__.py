"""Operations (issue 12): the isolate switch and leak alerts (O2), complaints and inquiries (A6),
and the printed operation rules 規程 (A8). `install.install(app, parts)` wires it into the api."""
