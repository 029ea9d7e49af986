"""Configuration: one pydantic-settings class, read from ``GUIDEPATH_*`` environment variables.

Example: ``GUIDEPATH_PORT=9000 guidepath serve``. Nothing heavy is built at import.
"""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service settings. ``cds_allowed_issuers`` empty means CDS Hooks JWTs are not required."""

    model_config = SettingsConfigDict(env_prefix="GUIDEPATH_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    cds_allowed_issuers: list[str] = []
    cds_jwks_hosts: list[str] = []
    data_dir: str = ".guidepath-data"
    database_url: str = ""
    secret_key: str = ""

    def base_url(self) -> str:
        """The URL clients reach the service at (the JWT audience for CDS Hooks)."""
        return self.public_url or f"http://{self.host}:{self.port}"


@cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
