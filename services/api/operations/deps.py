"""Request dependencies of the operations routes (the pattern of services.api.deps, one alias per part)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.api.operations.complaints import Complaints
from services.api.operations.isolation import IsolationSwitch
from services.api.operations.leak_watch import LeakWatch
from services.api.operations.parts import OperationsParts


def _ops(request: Request) -> OperationsParts:
    return request.app.state.ops


async def get_switch(request: Request) -> IsolationSwitch:
    return _ops(request).switch


async def get_leaks(request: Request) -> LeakWatch:
    return _ops(request).leaks


async def get_complaints(request: Request) -> Complaints:
    return _ops(request).complaints


async def get_ops(request: Request) -> OperationsParts:
    return _ops(request)


SwitchDep = Annotated[IsolationSwitch, Depends(get_switch)]
LeaksDep = Annotated[LeakWatch, Depends(get_leaks)]
ComplaintsDep = Annotated[Complaints, Depends(get_complaints)]
OpsDep = Annotated[OperationsParts, Depends(get_ops)]
