"""docs/api.md's examples, run as written against a live server: the Python one with the client generated from the
live schema, the curl one with bash, curl and jq. Only the lines that set the server, the user and the ids are
replaced by the test's."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from procurement.models import PurchaseOrder
from tests.api_contract.conftest import PASSWORD
from tests.conftest import require_service
from tests.procurement.ordering import build_world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "api.md"
GIVEN = {"BASE_URL", "USERNAME", "PASSWORD", "DISTRIBUTOR", "LISTING"}


def code_block(language: str) -> str:
    blocks = re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text(), flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) == 1, f"docs/api.md should have one {language} example, has {len(blocks)}"
    return blocks[0]


def given(live_server, w) -> dict:
    return {
        "BASE_URL": live_server.url,
        "USERNAME": w.buyer.username,
        "PASSWORD": PASSWORD,
        "DISTRIBUTOR": w.distributor.pk,
        "LISTING": w.listing.pk,
    }


def without_given_assignments(tree: ast.Module) -> ast.Module:
    def sets_given(node) -> bool:
        if not isinstance(node, ast.Assign):
            return False
        names = {n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)}
        return bool(names) and names <= GIVEN

    dropped = [node for node in tree.body if sets_given(node)]
    assert {n.id for node in dropped for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)} == GIVEN
    tree.body = [node for node in tree.body if not sets_given(node)]
    return tree


def test_the_python_example_places_and_reads_an_order(generated, live_server):
    w = build_world()
    code = compile(without_given_assignments(ast.parse(code_block("python"))), str(DOC), "exec")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, given(live_server, w))  # the documented example, run as a user would
    order = PurchaseOrder.objects.get(hospital=w.hospital)
    assert (order.idempotency_key, order.status) == ("HIS-20261207-0001", "submitted")
    assert out.getvalue().splitlines() == [f"{order.number} submitted", "status: submitted"]


def test_the_curl_example_places_and_reads_an_order(live_server):
    tools = [shutil.which(tool) for tool in ("bash", "curl", "jq")]
    require_service("bash, curl and jq", all(tools))
    w = build_world()
    variables = "|".join(sorted(GIVEN))
    script = "\n".join(
        line
        for line in code_block("bash").splitlines()
        if not re.fullmatch(rf"(?:(?:{variables})=\S+(?: |$))+", re.sub(r"'[^']*'", "x", line))
    )
    env = {**os.environ, **{k: str(v) for k, v in given(live_server, w).items()}}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    order = PurchaseOrder.objects.get(hospital=w.hospital)
    assert (order.idempotency_key, order.status) == ("HIS-20261207-0002", "submitted")
    assert result.stdout.strip() == "submitted"
