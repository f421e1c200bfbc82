"""The API contract as an integrator meets it: the schema the live server publishes, a Python client generated from it
by openapi-python-client (a tool nobody here wrote), and sign-in through the token endpoints."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

PASSWORD = "pw-123456"  # every user's, from tests.factories.UserFactory
PACKAGE = "yaoxie_platform_api_client"  # openapi-python-client's name for the schema's title, "Yaoxie Platform API"
# No post-generation hooks: the default ones run ruff from PATH, which is not a property of the schema.
GENERATOR_CONFIG = "post_hooks: []\n"


def generate_client(schema_path: Path, into: Path) -> subprocess.CompletedProcess:
    config = into / "generator.yaml"
    config.write_text(GENERATOR_CONFIG)
    return subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema_path)]
        + ["--meta", "none", "--config", str(config)],
        cwd=into,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def live_schema(live_server, tmp_path_factory) -> Path:
    """The schema as the running server publishes it (/api/schema/), saved to a file."""
    response = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=120)
    assert response.status_code == 200, response.text[:500]
    path = tmp_path_factory.mktemp("schema") / "openapi.json"
    path.write_bytes(response.content)
    return path


@pytest.fixture(scope="session")
def generation(live_schema, tmp_path_factory):
    """openapi-python-client run on the live schema in a temporary folder: (its output, the folder)."""
    into = tmp_path_factory.mktemp("client")
    result = generate_client(live_schema, into)
    return result, into


@pytest.fixture(scope="session")
def generated(generation):
    """The generated package, imported."""
    result, into = generation
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(into))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(into))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


class Api:
    """The generated package's modules by tag (`api.orders.orders_create`), its models and its clients."""

    def __init__(self, package, base_url: str):
        self.package = package
        self.base_url = base_url
        self.models = importlib.import_module(f"{PACKAGE}.models")

    def __getattr__(self, tag: str):
        return _Tag(f"{PACKAGE}.api.{tag}")

    def anonymous(self):
        return self.package.Client(base_url=self.base_url, raise_on_unexpected_status=True)

    def signed_in(self, token: str):
        return self.package.AuthenticatedClient(
            base_url=self.base_url, token=token, prefix="Token", raise_on_unexpected_status=True
        )

    def integration_token(self, username: str, password: str, name: str) -> str:
        """Sign in (a sign-in token), then make the named integration token a HIS or an ERP keeps, as docs/api.md
        tells an integrator to."""
        m = self.models
        signed_in = self.auth.auth_token_create.sync_detailed(
            client=self.anonymous(), body=m.SignInRequest(username=username, password=password)
        )
        assert signed_in.status_code == 200, signed_in.content
        made = self.auth.auth_tokens_create.sync_detailed(
            client=self.signed_in(signed_in.parsed.token),
            body=m.ApiTokenCreateRequest(name=name, expires_in_days=30),
        )
        assert made.status_code == 201, made.content
        assert made.parsed.kind == m.ApiTokenKindEnum.INTEGRATION
        return made.parsed.token


class _Tag:
    def __init__(self, module: str):
        self.module = module

    def __getattr__(self, operation: str):
        return importlib.import_module(f"{self.module}.{operation}")


@pytest.fixture
def generated_api(generated, live_server, settings):
    # Follow-up jobs (the progress refresh after a receipt) run in the live server's thread.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return Api(generated, live_server.url)
