"""The labs' routes: a page, an HTML fragment and a JSON twin for each lab.

The three render one lab model (:mod:`tutor.teaching.labs`), so they never drift apart. The
pages are plain GET forms and work without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tutor.teaching.labs import DescentLab, LossLab, descent_lab, loss_lab
from tutor.web.schemas import DescentLabOut, LossLabOut, UnprocessableOut

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/lab", tags=["labs"])

Numbers = Annotated[str | None, Query(max_length=2000)]
Short = Annotated[str | None, Query(max_length=40)]


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


def _page(request: Request, name: str, lab: Any) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, {"visitor": None, "lab": lab}, status_code=lab.status
    )


def _loss(y_true: Numbers = None, y_pred: Numbers = None, eps: Short = None) -> LossLab:
    return loss_lab(y_true, y_pred, eps)


def _descent(
    valley: Short = None, lr: Short = None, start: Short = None, steps: Short = None
) -> DescentLab:
    return descent_lab(valley, lr, start, steps)


LossDep = Annotated[LossLab, Depends(_loss)]
DescentDep = Annotated[DescentLab, Depends(_descent)]


@pages.get("/lab/loss", response_class=HTMLResponse)
def loss_page(request: Request, lab: LossDep) -> Response:
    return _page(request, "lab_loss.html", lab)


@pages.get("/lab/loss/results", response_class=HTMLResponse)
def loss_results(request: Request, lab: LossDep) -> Response:
    return _page(request, "_loss_results.html", lab)


@pages.get("/lab/descent", response_class=HTMLResponse)
def descent_page(request: Request, lab: DescentDep) -> Response:
    return _page(request, "lab_descent.html", lab)


@pages.get("/lab/descent/results", response_class=HTMLResponse)
def descent_results(request: Request, lab: DescentDep) -> Response:
    return _page(request, "_descent_results.html", lab)


def _json(lab: LossLab | DescentLab) -> JSONResponse:
    if lab.error:
        return JSONResponse({"detail": lab.error}, status_code=lab.status)
    return JSONResponse(lab.as_dict())


@api.get(
    "/loss",
    response_model=LossLabOut,
    responses={422: {"model": UnprocessableOut, "description": "Numbers it cannot read or score."}},
)
def loss_json(lab: LossDep) -> JSONResponse:
    """The loss lab as JSON: each loss item by item (or why it does not apply) and the charts.

    Numbers are separated by commas or spaces; `;` separates rows of class probabilities.
    """
    return _json(lab)


@api.get(
    "/descent",
    response_model=DescentLabOut,
    responses={422: {"model": UnprocessableOut, "description": "Settings out of range."}},
)
def descent_json(lab: DescentDep) -> JSONResponse:
    """The descent lab as JSON: every step of gradient descent, what happened, and the chart."""
    return _json(lab)
