import subprocess
import sys
from pathlib import Path


def test_openapi_schema_generates_without_warnings_and_passes_the_spec_validator(tmp_path):
    """`manage.py spectacular` as an integrator runs it, then openapi-spec-validator (the OpenAPI 3.0 rules: a
    default must be a value the field takes, references resolve, parameters are unique)."""
    root = Path(__file__).resolve().parent.parent
    schema = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(schema)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "openapi_spec_validator", "--errors", "all", str(schema)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and f"{schema}: OK" in result.stdout, result.stdout + result.stderr


def test_only_list_endpoints_are_documented_as_pages():
    """A custom action answering a plain list must not be documented as a page ({count, next, results}): the
    schema would contradict every answer (set `pagination_class=None` on the action)."""
    import re

    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    wrong = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "Paginated" not in str(operation.get("responses", {}).get("200", "")):
                continue
            match = resolve(re.sub(r"\{[^}]+\}", "1", path))
            action = getattr(match.func, "actions", {}).get(method)
            if action != "list":
                wrong.append(f"{method.upper()} {path} ({action})")
    assert not wrong, wrong
