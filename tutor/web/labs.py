"""The labs' routes: a page, an HTML fragment and a JSON twin for each lab.

The three render one lab model (:mod:`tutor.teaching.labs`), so they never drift apart. The
pages are plain GET forms and work without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tutor.engine import descent
from tutor.engine.inputs import MIN_EPS
from tutor.errors import BadInput
from tutor.teaching.labs import MAX_ITEMS, DescentLab, LossLab, descent_lab, loss_lab
from tutor.web.routing import Router
from tutor.web.schemas import DescentLabOut, LossLabOut, UnprocessableOut

pages = Router(include_in_schema=False)
api = Router(prefix="/api/lab", tags=["labs"])

Numbers = Annotated[str | None, Query(max_length=2000)]
Short = Annotated[str | None, Query(max_length=40)]

# The pages take whatever a person types and say what is wrong with it. The JSON twins take
# what their schema says, checked against it: numbers in range, lists of them in a plain
# form. What passes is then read as text, as the page reads it, and echoed as sent.
_NUMBER = r"[-+−]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})(?:[eE][-+]?[0-9]{1,2})?"
NUMBER_LIST = rf"^[ ,;]*{_NUMBER}(?:[ ,;]+{_NUMBER}){{0,{MAX_ITEMS - 1}}}[ ,;\n]*$"
"""1 to 60 numbers of a sensible size between commas or spaces, `;` between rows. A line
break may end it: a validator in Python reads `$` as "at the end, or before a last line
break", so the server lets that through as well."""
ListedNumbers = Annotated[str | None, Query(max_length=2000, pattern=NUMBER_LIST)]
Eps = Annotated[float | None, Query(ge=MIN_EPS, lt=0.5, allow_inf_nan=False)]
Valley = Annotated[Literal[tuple(descent.VALLEYS)] | None, Query()]  # type: ignore[valid-type]
Rate = Annotated[float | None, Query(gt=0, le=100, allow_inf_nan=False)]
Start = Annotated[float | None, Query(ge=-10, le=10, allow_inf_nan=False)]
Steps = Annotated[int | None, Query(ge=1, le=descent.MAX_STEPS)]


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


def _as_sent(request: Request, *names: str) -> list[str | None]:
    return [request.query_params.get(name) for name in names]


def _loss_json(
    request: Request, y_true: ListedNumbers = None, y_pred: ListedNumbers = None, eps: Eps = None
) -> LossLab:
    truths, preds, clip = _as_sent(request, "y_true", "y_pred", "eps")
    if (truths is None) != (preds is None):
        # The lab's example numbers would fill the other in, unasked.
        missing = "y_pred" if preds is None else "y_true"
        raise BadInput(
            f"{missing} is missing: the lab scores y_true and y_pred together (leave out both "
            "for its example)"
        )
    return loss_lab(truths, preds, clip)


def _descent_json(
    request: Request,
    valley: Valley = None,
    lr: Rate = None,
    start: Start = None,
    steps: Steps = None,
) -> DescentLab:
    return descent_lab(*_as_sent(request, "valley", "lr", "start", "steps"))


LossDep = Annotated[LossLab, Depends(_loss)]
DescentDep = Annotated[DescentLab, Depends(_descent)]
LossJsonDep = Annotated[LossLab, Depends(_loss_json)]
DescentJsonDep = Annotated[DescentLab, Depends(_descent_json)]


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
def loss_json(lab: LossJsonDep) -> JSONResponse:
    """The loss lab as JSON: each loss item by item (or why it does not apply) and the charts.

    Numbers are separated by commas or spaces; `;` separates rows of class probabilities.
    Rules the schema cannot say, each named by the 422 that refuses a request breaking it
    (no loss can score such numbers):

    - **same shape**: the truths and the predictions hold as many numbers or rows, and rows
      are all as long;
    - **class labels**: or, beside rows of predicted probabilities that each sum to 1, the
      truths are one class label per row, whole numbers below the number of classes;
    - **both or neither**: `y_true` and `y_pred` come together (with neither, the lab's
      example numbers are scored).
    """
    return _json(lab)


@api.get(
    "/descent",
    response_model=DescentLabOut,
    responses={422: {"model": UnprocessableOut, "description": "Settings out of range."}},
)
def descent_json(lab: DescentJsonDep) -> JSONResponse:
    """The descent lab as JSON: every step of gradient descent, what happened, and the chart."""
    return _json(lab)
