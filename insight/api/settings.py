"""The API's settings, in one class: from keyword arguments, else `INSIGHT_*` variables.

>>> Settings(api_keys="k1, k2", port=9000).api_keys
['k1', 'k2']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from insight.persistence import default_model_dir


class Settings(BaseSettings):
    """Where the model is, who may call, and how much one request may ask for.

    Every field reads `INSIGHT_<NAME>` (``INSIGHT_MODEL``, ``INSIGHT_API_KEYS=k1,k2``, ...)
    when not given; lists are comma-separated. No ``.env`` file is read: the process
    environment and the arguments are the only sources.
    """

    model_config = SettingsConfigDict(env_prefix="INSIGHT_", extra="ignore")

    model: Path = Field(
        default_factory=default_model_dir,
        description="model directory, loaded once at start-up; requests never name a file",
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="accepted keys; empty: no authentication",
        repr=False,  # never in a log line or a traceback
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65_535)
    workers: int = Field(default=1, ge=1)
    max_body_bytes: int = Field(default=2_000_000, ge=1)
    max_texts: int = Field(default=1000, ge=1)
    max_text_chars: int = Field(default=5000, ge=1)
    max_responses: int = Field(default=10_000, ge=1)
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed by CORS; empty: CORS off"
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        """ "a, b" -> ["a", "b"]; blanks dropped, so an empty variable means an empty list."""
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [item.strip() if isinstance(item, str) else item for item in value if item != ""]
        return value

    @field_validator("api_keys", "cors_origins")
    @classmethod
    def _no_blanks(cls, value: list[str]) -> list[str]:
        return [item for item in value if item]

    def to_env(self) -> dict[str, str]:
        """These settings as `INSIGHT_*` variables, for worker processes that rebuild them."""
        return {
            "INSIGHT_MODEL": str(Path(self.model).resolve()),
            "INSIGHT_API_KEYS": ",".join(self.api_keys),
            "INSIGHT_HOST": self.host,
            "INSIGHT_PORT": str(self.port),
            "INSIGHT_WORKERS": str(self.workers),
            "INSIGHT_MAX_BODY_BYTES": str(self.max_body_bytes),
            "INSIGHT_MAX_TEXTS": str(self.max_texts),
            "INSIGHT_MAX_TEXT_CHARS": str(self.max_text_chars),
            "INSIGHT_MAX_RESPONSES": str(self.max_responses),
            "INSIGHT_CORS_ORIGINS": ",".join(self.cors_origins),
        }
