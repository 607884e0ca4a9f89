"""The HTTP API: score records with the trained model at the business threshold.

Run it with ``make serve`` (``uvicorn --factory <package>.api:create_app``). The request model
is built from the feature schema saved with the model, so ``/docs`` shows every field with
its type, an example and what it accepts: a number within the training range widened by half
its width on each side, or one of the categories seen in training (a code named in
``value_labels`` may be sent as its name or its code). A misspelt, missing, mistyped or
out-of-range field is a 422 that names it; so is a number JSON cannot represent (``NaN``,
``Infinity``, ``1e999``) anywhere in the body, refused before validation so that no answer
ever has to echo it. The model is loaded and verified once, at start-up; if it is missing,
damaged, untrusted or does not match its metadata the API still starts, answers 503 with the
reason and says to run ``make train``. Request bodies are bounded (413 beyond the limit,
checked on the declared length and on the bytes actually received), so a client cannot make
the server buffer unbounded input.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations at
run time, and the request models are local to ``create_app``.
"""

import json
import logging
import math
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from threadpoolctl import threadpool_limits

from . import __version__
from .data import Feature, FeatureSchema
from .demo import add_demo_page
from .modelio import ModelError, load_metadata
from .predict import Predictor

__all__ = [
    "MAX_BATCH",
    "MAX_BATCH_BYTES",
    "MAX_RECORD_BYTES",
    "FiniteJSONRoute",
    "create_app",
    "project_info",
    "record_model",
]

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = PROJECT_ROOT / "models"
# The project's name and description, read when the app is built rather than written into
# this file: a name of any length or punctuation then cannot break the source's formatting.
PROJECT_FILE = Path(__file__).with_name("project.json")
MAX_BATCH = 1000
# A record is a few hundred bytes of JSON; these leave room for long category values.
MAX_RECORD_BYTES = 16 * 1024
MAX_BATCH_BYTES = 2 * 1024 * 1024
MAX_TEXT_LENGTH = 200


class PredictionOut(BaseModel):
    """The model's answer for one record."""

    probability: float = Field(description="Probability of the positive class", ge=0, le=1)
    decision: bool = Field(description="True when probability >= threshold: act on this case")
    threshold: float = Field(description="The business threshold, chosen by expected cost")
    model_version: str


class BatchOut(BaseModel):
    """The model's answers, in the order of the records sent."""

    predictions: list[PredictionOut]
    model_version: str


class HealthOut(BaseModel):
    """Whether the service can answer predictions."""

    status: str
    model_loaded: bool


class ModelOut(BaseModel):
    """What the loaded model is and how it scored."""

    version: str
    model_name: str
    trained_at: str
    threshold: float
    positive_label: str
    metrics: dict[str, Any]
    features: list[dict[str, Any]]


def _non_finite(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Return where the first NaN or infinite number in a parsed JSON value is, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = _non_finite(item, (*path, key))
        if found is not None:
            return found
    return None


class _FiniteJSONRequest(Request):
    """A request whose JSON body ``FiniteJSONRoute`` has parsed and checked already."""

    checked = False
    parsed: Any = None

    async def json(self) -> Any:
        """Return the checked body; a body that is not JSON is parsed (and refused) as usual."""
        return self.parsed if self.checked else await super().json()


class FiniteJSONRoute(APIRoute):
    """A route that refuses NaN, Infinity and overflowing numbers in a JSON body with a 422.

    Python's JSON parser accepts ``NaN``, ``Infinity`` and ``1e999`` (as infinity), which
    JSON itself does not allow; pydantic rejects them in a number field, but its 422 answer
    echoes the input, which cannot be serialised back to JSON (a 500), and in any other
    field they would reach the model. Checking the parsed body first answers every such
    request with a 422 that names where the number is and holds no input. A body that is
    not JSON is left to FastAPI's own 422.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the finiteness check."""
        handler = super().get_route_handler()

        async def finite_only(request: Request) -> Response:
            checked = _FiniteJSONRequest(request.scope, request.receive)
            body = await checked.body()
            if body:
                try:
                    checked.parsed = json.loads(body)
                except ValueError:
                    return await handler(checked)
            checked.checked = True
            where = _non_finite(checked.parsed)
            if where is not None:
                raise RequestValidationError(
                    [
                        {
                            "type": "finite_number",
                            "loc": ("body", *where),
                            "msg": "Input should be a finite number (JSON has no NaN or "
                            "Infinity, and this number overflows a float)",
                        }
                    ]
                )
            return await handler(checked)

        return finite_only


def _numeric_field(feature: Feature) -> Any:
    description = "A number; null if unknown."
    low = high = None
    if feature.bounds is not None and feature.seen is not None:
        low, high = feature.bounds
        description = (
            f"A number from {low:g} to {high:g}: the training range ({feature.seen[0]:g} to "
            f"{feature.seen[1]:g}) widened by half its width on each side; null if unknown."
        )
    return Annotated[
        float | None,
        Field(
            alias=feature.name,
            examples=[feature.example],
            ge=low,
            le=high,
            allow_inf_nan=False,
            strict=True,
            description=description,
        ),
    ]


def _categorical_field(feature: Feature) -> Any:
    if not feature.closed or not feature.categories:
        return Annotated[
            str | None,
            Field(
                alias=feature.name,
                examples=[feature.example],
                max_length=MAX_TEXT_LENGTH,
                strict=True,
                description="A category (any text: values the model does not keep apart "
                "share one column); null if unknown.",
            ),
        ]
    description = (
        f"One of the values seen in training, or null if unknown: {', '.join(feature.categories)}"
    )
    codes = dict(feature.codes)
    if codes:
        description += f" (or its code: {', '.join(f'{c} = {n}' for c, n in codes.items())})"

    def name_of(value: Any) -> Any:
        return codes.get(value, value) if isinstance(value, str) else value

    return Annotated[
        Literal[feature.categories] | None,  # type: ignore[valid-type]
        BeforeValidator(name_of),
        # Not strict, yet a number is still no match for a text value in the list.
        Field(alias=feature.name, examples=[feature.example], description=description + "."),
    ]


def record_model(schema: FeatureSchema | None) -> type[BaseModel]:
    """Return the pydantic model of one record, one required (nullable) field per feature.

    Field names are internal (``feature_0``...); the JSON keys are the column names, as
    aliases, so any column name works, even one that is not a Python identifier. Without a
    schema (no trained model yet) any object is accepted and the endpoints answer 503.
    """
    if schema is None:
        return create_model("Record", __config__=ConfigDict(extra="allow"))
    fields: dict[str, Any] = {}
    for i, feature in enumerate(schema.features):
        field = (
            _numeric_field(feature) if feature.kind == "numeric" else _categorical_field(feature)
        )
        fields[f"feature_{i}"] = (field, ...)
    return create_model("Record", __config__=ConfigDict(extra="forbid"), **fields)


def project_info() -> dict[str, str]:
    """Return the project's name and description, as the owner gave them when generating it."""
    try:
        values = json.loads(PROJECT_FILE.read_text(encoding="utf-8"))
        return {"name": str(values["name"]), "description": str(values["description"])}
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("cannot read %s (%s): the API docs use a generic title", PROJECT_FILE, err)
        return {"name": "Classifier API", "description": ""}


def _schema(folder: Path) -> FeatureSchema | None:
    try:
        return FeatureSchema.from_dict(load_metadata(folder)["schema"])
    except (ModelError, KeyError, TypeError, ValueError) as err:
        log.warning("no usable model metadata in %s (%s): predictions will answer 503", folder, err)
        return None


def _model_dir() -> Path:
    return Path(os.environ.get("MODEL_DIR", DEFAULT_MODEL_DIR))


def create_app(model_dir: Path | None = None) -> FastAPI:
    """Build the API for the model saved in ``model_dir`` (default: ``$MODEL_DIR`` or models/).

    The request schema is read from the model's metadata now; the model itself is loaded
    and verified when the server starts (the lifespan), once.
    """
    folder = model_dir if model_dir is not None else _model_dir()
    schema = _schema(folder)
    record = record_model(schema)
    batch = create_model(
        "Batch",
        __config__=ConfigDict(extra="forbid"),
        records=(Annotated[list[record], Field(min_length=1, max_length=MAX_BATCH)], ...),  # type: ignore[valid-type]
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The API scores one row at a time: starting OpenMP threads for it (gradient
        # boosting does) costs far more than it saves, so the server uses one.
        threadpool_limits(limits=1, user_api="openmp")
        app.state.predictor = None
        app.state.model_error = None
        try:
            predictor = Predictor.from_folder(folder)
            if schema is None or predictor.schema != schema:
                raise ModelError("the model changed after the API was built: restart the API")
            app.state.predictor = predictor
            log.info("loaded %s (fast path: %s)", predictor.version, predictor.fast_path)
        except ModelError as err:
            app.state.model_error = str(err)
            log.error("model not loaded: %s", err)
        yield

    project = project_info()
    app = FastAPI(
        title=project["name"],
        description=" ".join(
            [
                project["description"],
                "Scores records with the trained classifier at the business threshold.",
            ]
        ).strip(),
        version=__version__,
        lifespan=lifespan,
        max_body_size=MAX_RECORD_BYTES,
    )
    app.router.route_class = FiniteJSONRoute
    # Until the lifespan has run (a server that skipped it, a test client used without
    # ``with``), every model endpoint answers 503 rather than failing.
    app.state.predictor = None
    app.state.model_error = "the model is not loaded: the server did not run its start-up"

    def predictor_of(request: Request) -> Predictor:
        predictor: Predictor | None = request.app.state.predictor
        if predictor is None:
            raise HTTPException(status_code=503, detail=request.app.state.model_error)
        return predictor

    def answer(predictor: Predictor, probability: float) -> PredictionOut:
        decided = predictor.decide(probability)
        return PredictionOut(
            probability=decided.probability,
            decision=decided.decision,
            threshold=predictor.threshold,
            model_version=predictor.version,
        )

    @app.get("/health", responses={503: {"description": "No usable model"}})
    async def health(request: Request) -> HealthOut:
        """Report whether a verified model is loaded (503 if not, so no traffic is routed)."""
        if request.app.state.predictor is None:
            raise HTTPException(status_code=503, detail=request.app.state.model_error)
        return HealthOut(status="ok", model_loaded=True)

    @app.get("/model", responses={503: {"description": "No usable model"}})
    async def model_info(request: Request) -> ModelOut:
        """Describe the loaded model: version, training date, threshold and its metrics."""
        meta = predictor_of(request).metadata
        return ModelOut(
            version=meta["version"],
            model_name=meta["model_name"],
            trained_at=meta["trained_at"],
            threshold=meta["threshold"],
            positive_label=meta["positive_label"],
            metrics={
                "validation": meta["validation"],
                "cross_validation": meta["cross_validation"],
                "calibration": {
                    k: meta["calibration"][k] for k in ("method", "slope", "intercept")
                },
            },
            features=meta["schema"]["features"],
        )

    # One record is scored in microseconds, less than a hop to the thread pool costs, so it
    # runs on the event loop; a batch may take milliseconds and runs in the thread pool.
    @app.post("/predict", responses={503: {"description": "No usable model: run `make train`"}})
    async def predict(request: Request, item: record) -> PredictionOut:  # type: ignore[valid-type]
        """Score one record."""
        predictor = predictor_of(request)
        values = item.model_dump(by_alias=True)  # type: ignore[attr-defined]
        return answer(predictor, predictor.score_one(values))

    @app.post(
        "/predict/batch",
        max_body_size=MAX_BATCH_BYTES,
        responses={503: {"description": "No usable model: run `make train`"}},
    )
    def predict_batch(request: Request, body: batch) -> BatchOut:  # type: ignore[valid-type]
        """Score up to 1,000 records at once, through the full pipeline."""
        predictor = predictor_of(request)
        records = [r.model_dump(by_alias=True) for r in body.records]  # type: ignore[attr-defined]
        scores = predictor.score_batch(records)
        return BatchOut(
            predictions=[answer(predictor, float(s)) for s in scores],
            model_version=predictor.version,
        )

    def answer_words() -> dict[str, str]:
        """Name the classes as the loaded model does, for the demo page's answer sentence."""
        predictor: Predictor | None = app.state.predictor
        if predictor is None:
            return {}
        return {key: str(predictor.metadata[f"{key}_name"]) for key in ("positive", "negative")}

    add_demo_page(app, root=PROJECT_ROOT, operation="POST /predict", words=answer_words)
    return app
