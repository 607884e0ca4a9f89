"""A small HTTP API over the recommender: ``GET /users/{user_id}/recommendations``.

Run it with ``make serve`` (uvicorn, after ``make all``). The data and models load once at
start-up; an unknown user gets the cold-start model chosen on validation (the most popular
items when nothing they chose is given), and the answer says so in ``cold_start``.
If they cannot be loaded (not trained yet, a damaged file, a file that names a type the
project does not trust), the API still starts but serves nothing: ``/health`` and every
request answer 503 with the reason, and the server log has the details.
"""

# No `from __future__ import annotations` here: FastAPI reads the parameter annotations at
# run time, and the documented examples in them are ids known only once the data is loaded.
import logging
import pathlib
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query
from pydantic import BaseModel

from {{ cookiecutter.__package }} import __version__
from {{ cookiecutter.__package }}.config import Config, ConfigError, load_config
from {{ cookiecutter.__package }}.demo import add_demo_page
from {{ cookiecutter.__package }}.modelfile import ModelFileError
from {{ cookiecutter.__package }}.reading import DataError
from {{ cookiecutter.__package }}.recommend import RecommendationService

__all__ = ["RecommendationResponse", "create_app"]

logger = logging.getLogger(__name__)
#: What a client is told when the data is missing: the server's paths stay in its log.
NOT_READY = "the pipeline's output is missing or unreadable: run `make all` on the server"
BAD_CONFIG = "the server's config.toml is invalid: its log names the key to fix"


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


def _load_service(config: Config | None) -> tuple[RecommendationService | None, str]:
    """Return the service, or ``None`` and the reason a client may read."""
    try:
        return RecommendationService(config or load_config()), ""
    except ModelFileError as err:
        logger.error("not serving recommendations: %s", err)
        return None, str(err)  # names the file, never the server's folder
    except ConfigError as err:
        logger.error("not serving recommendations: %s", err)
        return None, BAD_CONFIG
    except (DataError, FileNotFoundError) as err:
        logger.error("not serving recommendations: %s", err)
        return None, NOT_READY


def create_app(config: Config | None = None) -> FastAPI:
    """Build the app around a ``RecommendationService`` (``config.toml`` by default).

    Never raises for a missing or refused model: the app starts and answers 503, so a
    deployment sees an unhealthy service instead of a crash loop or, worse, a healthy one.
    """
    service, problem = _load_service(config)
    app = FastAPI(title="Recommendations", version=__version__, description=__doc__)
    examples = service.examples if service is not None else None
    default_k = service.config.evaluation.k if service is not None else 10

    def ready() -> RecommendationService:
        if service is None:
            raise HTTPException(status_code=503, detail=problem)
        return service

    @app.get("/health")
    def health() -> dict[str, str]:
        ready()
        return {"status": "ok"}

    @app.get("/users/{user_id}/recommendations")
    def recommendations(
        user_id: Annotated[
            str, Path(examples=[examples["user"], examples["unknown_user"]] if examples else None)
        ],
        k: Annotated[int, Query(ge=1, le=100)] = default_k,
        seen: Annotated[
            list[str] | None,
            Query(
                description="ids of items an unknown user has chosen (cold start)",
                examples=[examples["items"]] if examples else None,
            ),
        ] = None,
    ) -> RecommendationResponse:
        live = ready()
        try:
            result = live.recommend(user_id, k=k, seen=seen or ())
        except ValueError as err:
            raise HTTPException(status_code=422, detail=str(err)) from err
        return RecommendationResponse(
            user_id=result.user_id,
            model=result.model,
            cold_start=result.cold_start,
            note=result.note,
            items=[Item(item_id=i, title=t) for i, t in result.items],
        )

    root = service.config.root if service is not None else pathlib.Path.cwd()
    add_demo_page(app, root=root, operation="GET /users/{user_id}/recommendations")
    return app
