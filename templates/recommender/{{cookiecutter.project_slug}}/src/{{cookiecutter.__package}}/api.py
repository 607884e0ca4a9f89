"""A small HTTP API over the recommender: ``GET /users/{user_id}/recommendations``.

Run it with ``make serve`` (uvicorn, after ``make all``). The data and models load once at
start-up; an unknown user gets the cold-start model and the answer says so in ``cold_start``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel

from {{ cookiecutter.__package }} import __version__
from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.recommend import RecommendationService

__all__ = ["RecommendationResponse", "create_app"]


class Item(BaseModel):
    """One recommended item."""

    item_id: str
    title: str


class RecommendationResponse(BaseModel):
    """The ranked list, the model that made it, and whether the user was a cold start."""

    user_id: str
    model: str
    cold_start: bool
    note: str
    items: list[Item]


def create_app(config: Config | None = None) -> FastAPI:
    """Build the app around a loaded ``RecommendationService`` (``config.toml`` by default).

    Raises:
        FileNotFoundError: the pipeline has not been run, so there is nothing to serve.

    """
    service = RecommendationService(config or load_config())
    app = FastAPI(title="Recommendations", version=__version__, description=__doc__)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/users/{user_id}/recommendations")
    def recommendations(
        user_id: str,
        k: Annotated[int, Query(ge=1, le=100)] = service.config.evaluation.k,
        seen: Annotated[list[str] | None, Query()] = None,
    ) -> RecommendationResponse:
        try:
            result = service.recommend(user_id, k=k, seen=seen or ())
        except ValueError as err:
            raise HTTPException(status_code=422, detail=str(err)) from err
        return RecommendationResponse(
            user_id=result.user_id,
            model=result.model,
            cold_start=result.cold_start,
            note=result.note,
            items=[Item(item_id=i, title=t) for i, t in result.items],
        )

    return app
