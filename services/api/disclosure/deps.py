"""The disclosure dependency, in the narrow style of services.api.deps (one object per alias)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.api.disclosure.service import Disclosure


async def get_disclosure(request: Request) -> Disclosure:  # async: an attribute read after the first call
    return Disclosure.of(request)


DisclosureDep = Annotated[Disclosure, Depends(get_disclosure)]
