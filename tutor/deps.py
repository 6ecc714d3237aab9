"""Dependencies the routers share, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tutor.tutoring import Tutor


async def get_tutor(request: Request) -> Tutor:
    """The app's tutoring service, built once by ``create_app``.

    It only reads ``app.state``, so it is ``async``: FastAPI runs it in the event loop
    instead of sending it to the thread pool.
    """
    return request.app.state.tutor


TutorDep = Annotated[Tutor, Depends(get_tutor)]
