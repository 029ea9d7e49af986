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
    cds_jwt_leeway_s: float = 60.0
    cds_fetch_timeout_s: float = 5.0
    cds_fetch_deadline_s: float = 0.4
    cds_fetch_concurrency: int = 16
    cds_fhir_servers: list[str] = []
    cds_fhir_allow_private: bool = False
    cds_fetch_pages: int = 20
    data_dir: str = ".guidepath-data"
    database_url: str = ""
    secret_key: str = ""
    session_lifetime_s: float = 14 * 24 * 3600
    login_window_s: float = 900.0
    login_max_failures_account: int = 5
    login_max_failures_client: int = 30
    max_body_bytes: int = 2 * 1024 * 1024
    body_timeout_s: float = 20.0
    feedback_max_items: int = 100
    feedback_max_file_bytes: int = 50 * 1024 * 1024
    cds_jwt_max_lifetime_s: float = 300.0
    cds_jwks_cache_s: float = 300.0

    def base_url(self) -> str:
        """The URL clients reach the service at (the JWT audience for CDS Hooks)."""
        return self.public_url or f"http://{self.host}:{self.port}"


@cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
