"""The HTTP API: score records with the trained model at the business threshold.

Run it with ``make serve`` (``uvicorn --factory <package>.api:create_app``). The request model
is built from the feature schema saved with the model, so ``/docs`` shows every field with
its type and an example, and a misspelt, missing or mistyped field is a 422 that names it.
The model is loaded and verified once, at start-up; if it is missing or does not match its
metadata the API still starts, answers 503 with the reason and says to run ``make train``.
Request bodies are bounded (413 beyond the limit, checked on the declared length and on the
bytes actually received), so a client cannot make the server buffer unbounded input.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations at
run time, and the request models are local to ``create_app``.
"""

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, create_model
from threadpoolctl import threadpool_limits

from . import __version__
from .data import FeatureSchema
from .modelio import ModelError, load_metadata
from .predict import Predictor

__all__ = ["MAX_BATCH", "MAX_BATCH_BYTES", "MAX_RECORD_BYTES", "create_app", "record_model"]

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models"
# The project's name; double quotes in it become single ones, so the literal stays in the
# formatter's preferred style whatever the name.
TITLE = {{ cookiecutter.project_name | replace('"', "'") | as_json }}  # noqa: E501
MAX_BATCH = 1000
# A record is a few hundred bytes of JSON; these leave room for long category values.
MAX_RECORD_BYTES = 16 * 1024
MAX_BATCH_BYTES = 2 * 1024 * 1024
MAX_TEXT_LENGTH = 200
# Numbers beyond this are input errors, not data: rejecting them keeps the arithmetic finite.
MAX_ABS_NUMBER = 1e12


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
        if feature.kind == "numeric":
            annotation: Any = Annotated[
                float | None,
                Field(
                    alias=feature.name,
                    examples=[feature.example],
                    ge=-MAX_ABS_NUMBER,
                    le=MAX_ABS_NUMBER,
                    allow_inf_nan=False,
                    strict=True,
                    description="A number; null if unknown",
                ),
            ]
        else:
            known = ", ".join(feature.categories)
            annotation = Annotated[
                str | None,
                Field(
                    alias=feature.name,
                    examples=[feature.example],
                    max_length=MAX_TEXT_LENGTH,
                    strict=True,
                    description=f"A category; null if unknown. Seen in training: {known}",
                ),
            ]
        fields[f"feature_{i}"] = (annotation, ...)
    return create_model("Record", __config__=ConfigDict(extra="forbid"), **fields)


def _schema(folder: Path) -> FeatureSchema | None:
    try:
        return FeatureSchema.from_dict(load_metadata(folder)["schema"])
    except (ModelError, KeyError, TypeError) as err:
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

    app = FastAPI(
        title=TITLE,
        description="Scores records with the trained classifier at the business threshold.",
        version=__version__,
        lifespan=lifespan,
        max_body_size=MAX_RECORD_BYTES,
    )
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

    return app
