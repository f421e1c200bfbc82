"""The catalog import: every row checked in Python, written in batches, the whole file in one transaction.

How a file goes in:
- rows are streamed from the file (``sources``) and handled ``BATCH_SIZE`` at a time (the first and the last
  ``BATCH_SIZE`` rows in smaller batches, ``sources.batches``): for each batch one query fetches the products
  already holding its codes, one resolves the manufacturers not seen before (creating those the platform does not
  know, by name, with one statement: ``organizations``), and the rows are checked with the layout's reading rules
  and ``catalog.rules``;
- a row is **new** (no product has its code), **changed** (the product with that code differs in a field the
  layout carries), **unchanged**, or an **error** with every reason, naming the row and the column;
- new and changed products are stored per batch by a writer (``writers``: COPY, on a thread of the import's own
  while the next batch is checked, each batch in a savepoint), so each new or changed product gets exactly one
  history row and an unchanged one none;
- everything runs in one transaction: after the first bad row nothing more is written, but every remaining row
  is still checked so the report lists all errors; at the end a file with any error — and every dry run — is
  rolled back.

What "already held" means: the code identifies the product. A code the catalog already has is an update of that
product, as long as the row names the same manufacturer; a code held by a product of another manufacturer is an
error (changing a product's manufacturer is a catalog decision taken product by product, not by a bulk file). A
code that appears twice in one file is an error on the second row, naming the first.

Memory does not grow with the file: two batches of rows and products at a time, the report streamed to a file,
error details capped, and the codes seen so far (code → first row, to name the first row of a duplicate) kept in a
temporary table of the import's transaction rather than in the process. Only the manufacturer-name cache grows, by
one entry per manufacturer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import compress
from operator import itemgetter

from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organization

from ..layouts import Layout, get_layout
from ..models import Product
from ..rules import clean_product_columns, clean_product_fields
from . import sql
from .collector import freeze_start_up
from .organizations import create_manufacturers
from .report import CHANGED, ERROR, NEW, UNCHANGED, ImportReport
from .result import ImportResult
from .seen import SeenCodes
from .sources import FileProblem, SourceRow, TableSource, batches, open_table
from .writers import new_columns, new_products, writer_for

BATCH_SIZE = 1000  # rows per round of queries at most (and per step of the progress bar)

# The stored fields an import compares and writes; the key and the timestamps belong to the database.
PRODUCT_FIELDS = tuple(
    f.attname
    for f in Product._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at") and not f.generated
)
_FIELD_SET = frozenset(PRODUCT_FIELDS)
_DEFAULTS = {f.attname: f.get_default() for f in Product._meta.concrete_fields if f.attname in _FIELD_SET}
_LOADED = ("id", "created_at", "updated_at", *PRODUCT_FIELDS)
_CODE = _LOADED.index("nhsa_code")
_SEEN_HOLDING = sql.add_seen_holding([Product._meta.get_field(name).column for name in _LOADED])
_MANUFACTURER = Organization.Kind.MANUFACTURER.value  # compared once per row: the enum member's value
_DERIVED = frozenset({"name_pinyin", "name_initials"})  # follow the generic name; not worth naming in a report


def _verbose_names() -> dict[str, str]:
    with translation.override("zh-hans"):
        names = {f.attname: str(f.verbose_name) for f in Product._meta.concrete_fields}
        names.update({f.name: str(f.verbose_name) for f in Product._meta.concrete_fields})
    return names


class _Row:
    __slots__ = (
        "number",
        "data",
        "errors",
        "problems",
        "code",
        "manufacturer",
        "hospital",
        "status",
        "detail",
        "existing",
        "values",
        "changed",
    )

    def __init__(self, source: SourceRow, data: dict, errors: dict[str, str]):
        self.number = source.number
        self.problems = source.problems
        self.data = data
        self.errors = errors
        # The code as looked up and reported; PostgreSQL takes no NUL in text (the row is refused for it anyway).
        self.code = data.get("nhsa_code", "").replace("\x00", "\ufffd")
        self.manufacturer = data.pop("manufacturer", None)  # a name; None when the layout has no such column
        self.hospital = data.pop("preparing_hospital", None)
        self.status = ""
        self.detail = ""
        self.existing: dict | None = None  # the stored product with this code, as read (id, updated_at, fields)
        self.values: dict | None = None  # what to write: every field of a new product, or of a changed one
        self.changed: list[str] = []


class CatalogImporter:
    """Checks and writes the rows of one file; see the module docstring for the rules."""

    def __init__(
        self,
        layout: Layout,
        *,
        report: ImportReport,
        by=None,
        reason: str = "",
        batch_size: int = BATCH_SIZE,
        writer: str = "auto",
    ):
        self.layout = layout
        self.report = report
        self.by = by if getattr(by, "pk", None) else None
        self.reason = (reason or f"目录导入（{layout.label}）")[:100]
        self.batch_size = batch_size
        self.seen = SeenCodes(_SEEN_HOLDING)  # code → the row it first appeared on
        self.organizations: dict[str, tuple[int, str]] = {}  # name → (id, kind)
        self.hospitals: dict[str, int | None] = {}
        self.manufacturers_created = 0
        self.processed = 0
        self.labels = {**_verbose_names(), **layout.field_labels}
        self.writer = writer_for(writer, user=self.by, reason=self.reason, batch_size=batch_size)
        self.storing: tuple[int, int] | None = None  # the first and last row of the batch being stored

    @property
    def failed(self) -> bool:
        return bool(self.report.error_count or self.report.file_error)

    def run(self, table: TableSource, progress: Callable[[int, int | None, dict], None] | None = None) -> None:
        """Batch by batch: read the rows, look up what they refer to, start storing the batch before (the database
        stores it while this one is checked), check the rows. Every use of the database first waits for the batch
        being stored (``_settle``)."""
        checked: tuple[list[_Row], list[tuple[int, dict]]] = ([], [])
        try:
            for batch, step_done in batches(table.rows(), self.batch_size, table.estimated_rows):
                rows = self._read(batch)
                self._settle()
                self._look_up(rows)
                self._store(*checked)
                new = self._check_rows(rows)
                for row in rows:
                    self.report.add(row.number, row.code or row.data.get("nhsa_code", ""), row.status, row.detail)
                checked = (rows, new)
                if progress is not None and step_done:
                    progress(self.processed, table.estimated_rows, dict(self.report.counts))
            self._settle()
            self._store(*checked)
            self._settle()
        finally:
            self.writer.close()
        if self.processed == 0:
            raise FileProblem(_("文件没有数据行（只有表头）"))
        if not self.failed:
            try:
                with transaction.atomic():
                    self.writer.flush()
            except DatabaseError as exc:
                self.report.fail_file(_("写入数据库时出错：%(exc)s") % {"exc": exc})

    # --- one batch ------------------------------------------------------------------------------
    def _read(self, batch: list[SourceRow]) -> list[_Row]:
        rows = []
        for source in batch:
            data, errors = self.layout.read_row(source.cells)
            rows.append(_Row(source, data, errors))
        self.processed += len(rows)
        return rows

    def _look_up(self, rows: list[_Row]) -> None:
        """The codes seen before (a repeated code is an error naming its first row), the products already holding
        the codes, and the organisations the rows name."""
        in_batch: dict[str, int] = {}
        for row in rows:
            if row.code:
                in_batch.setdefault(row.code, row.number)
        earlier, held = self.seen.add(in_batch)  # … and the products holding the batch's codes, in one statement
        for row in rows:
            if not row.code:
                continue
            first = earlier.get(row.code) or in_batch[row.code]
            if first != row.number:
                row.errors.setdefault(
                    "nhsa_code", _("医保代码 %(code)s 与第 %(first)s 行重复") % {"code": row.code, "first": first}
                )
                row.code = ""  # not looked up: the first row decides what the code is

        existing = {values[_CODE]: dict(zip(_LOADED, values, strict=True)) for values in held}
        for row in rows:
            row.existing = existing.get(row.code) if row.code else None
        self._resolve_organizations(rows)

    def _check_rows(self, rows: list[_Row]) -> list[tuple[int, dict[str, list]]]:
        """Each row's organisations and category, then the product rules: new rows of one category column by column
        (``clean_product_columns``: each distinct value of a column checked once), a row with a problem — for its
        reasons, in their order — and a row updating a product one at a time (``clean_product_fields``).

        Returns the new products checked column by column, as they passed: (how many, their cleaned columns) per
        group of rows — they stay columns until they are stored (``_store``); the others get their values per row."""
        new: list[tuple[int, dict[str, list]]] = []
        groups: dict[tuple, list[tuple[_Row, dict]]] = {}
        for row in rows:
            values = self._prepare(row)
            if values is None:
                continue
            if row.existing is None and not row.errors and not row.problems:
                groups.setdefault((values["category"], *values), []).append((row, values))
            else:
                self._finish(row, *clean_product_fields(values))
        for (category, *fields), members in groups.items():
            # rows → columns at C speed: the fields of each row in one tuple, the tuples transposed
            table = zip(*map(itemgetter(*fields), [v for _, v in members]), strict=True)
            columns = dict(zip(fields, map(list, table), strict=True))
            checked = clean_product_columns(columns, category)
            if checked is None:
                for row, values in members:
                    self._finish(row, *clean_product_fields(values))
                continue
            cleaned_columns, bad = checked
            if any(bad):
                good = [not is_bad for is_bad in bad]
                cleaned_columns = {name: list(compress(values, good)) for name, values in cleaned_columns.items()}
            for (row, values), is_bad in zip(members, bad, strict=True):
                if is_bad:
                    self._finish(row, *clean_product_fields(values))
                else:  # what _finish makes of a new row without a problem; its values stay in the columns
                    row.status = NEW
            if len(members) > sum(bad):
                new.append((len(members) - sum(bad), cleaned_columns))
        self._check_identity(rows)
        if any(r.status == CHANGED for r in rows):
            self._lock(rows)
        return new

    def _resolve_organizations(self, rows: list[_Row]) -> None:
        names = {r.manufacturer for r in rows if r.manufacturer} - self.organizations.keys()
        if names:
            for name, pk, kind in Organization.objects.filter(name__in=names).values_list("name", "id", "kind"):
                self.organizations[name] = (pk, kind)
            missing = sorted(names - self.organizations.keys())
            if missing:
                self._create_manufacturers(missing)
        hospitals = {r.hospital for r in rows if r.hospital} - self.hospitals.keys()
        if hospitals:
            found = dict(
                Organization.objects.filter(name__in=hospitals, kind=Organization.Kind.HOSPITAL).values_list(
                    "name", "id"
                )
            )
            for name in hospitals:
                self.hospitals[name] = found.get(name)

    def _create_manufacturers(self, names: list[str]) -> None:
        """A manufacturer first met in a catalog file: known by name only, until it registers (``organizations``)."""
        created = create_manufacturers(names, user=self.by, reason=self.reason)
        for name, pk, kind in created:
            self.organizations[name] = (pk, kind)
        self.manufacturers_created += len(created)

    def _prepare(self, row: _Row) -> dict | None:
        """The row's organisations and settled category; the values the product rules check (None: the row has no
        category to check them by)."""
        errors = row.errors
        data = row.data
        existing = row.existing
        if row.manufacturer is not None:
            if not row.manufacturer:
                errors.setdefault("manufacturer", _("生产企业不能为空"))
            else:
                pk, kind = self.organizations[row.manufacturer]
                if kind != _MANUFACTURER:
                    errors.setdefault(
                        "manufacturer",
                        _("“%(manufacturer)s”是%(label)s，不是生产企业")
                        % {"manufacturer": row.manufacturer, "label": Organization.Kind(kind).label},
                    )
                data["manufacturer_id"] = pk
        if row.hospital is not None:
            data["preparing_hospital_id"] = None
            if row.hospital:
                pk = self.hospitals.get(row.hospital)
                if pk is None:
                    errors.setdefault(
                        "preparing_hospital",
                        _("医疗机构“%(hospital)s”不在机构名录中（须与医院名称完全一致）") % {"hospital": row.hospital},
                    )
                else:
                    data["preparing_hospital_id"] = pk

        if "category" not in data:
            self._finish(row, None, {})
            return None
        data["category"] = self.layout.settle_category(data["category"], existing["category"] if existing else None)
        if existing is None:
            return data
        values = {f: existing[f] for f in PRODUCT_FIELDS}
        values.update(data)
        return values

    def _finish(self, row: _Row, cleaned: dict | None, clean_errors: dict[str, str]) -> None:
        """The row's outcome from its cleaned values and the rules' reasons."""
        errors = row.errors
        existing = row.existing
        for name, message in clean_errors.items():
            errors.setdefault(name, message)
        if errors or row.problems:
            row.status = ERROR
            row.detail = self._messages(row)
            return

        if existing is None:
            row.status = NEW
            if _FIELD_SET.issuperset(cleaned):  # nothing but stored fields (the usual case): no filtering
                row.values = {**_DEFAULTS, **cleaned}
            else:
                row.values = {**_DEFAULTS, **{k: v for k, v in cleaned.items() if k in _FIELD_SET}}
            return
        changed = [f for f in PRODUCT_FIELDS if f in cleaned and cleaned[f] != existing[f]]
        if not changed:
            row.status = UNCHANGED
            return
        row.status = CHANGED
        row.changed = changed
        row.values = {**existing, **{f: cleaned[f] for f in changed}}
        shown = [self.labels.get(f, f) for f in changed if f not in _DERIVED]
        row.detail = _("变更：%(items)s") % {"items": "、".join(dict.fromkeys(shown))}

    def _check_identity(self, rows: list[_Row]) -> None:
        """A code held by a product of another manufacturer is not this row's product (see module docstring)."""
        clashes = [
            r
            for r in rows
            if r.existing is not None
            and r.manufacturer in self.organizations
            and "manufacturer" not in r.errors
            and r.existing["manufacturer_id"] != self.organizations[r.manufacturer][0]
        ]
        if not clashes:
            return
        self._settle()
        holders = dict(
            Organization.objects.filter(pk__in={r.existing["manufacturer_id"] for r in clashes}).values_list(
                "id", "name"
            )
        )
        for row in clashes:
            held = row.existing
            row.errors["manufacturer"] = _(
                "医保代码 %(held)s 已是“%(value)s”的产品“%(held2)s”，与本行的“%(manufacturer)s”不符；同一代码不能改由另一家企业导入"
            ) % {
                "held": held["nhsa_code"],
                "value": holders.get(held["manufacturer_id"], ""),
                "held2": held["generic_name"],
                "manufacturer": row.manufacturer,
            }
            row.status = ERROR
            row.detail = self._messages(row)

    def _lock(self, rows: list[_Row]) -> None:
        """Lock the products about to change; one changed by someone else since it was read fails the file."""
        changing = [r for r in rows if r.status == CHANGED]
        self._settle()
        stamps = dict(
            Product.objects.select_for_update()
            .filter(pk__in=[r.existing["id"] for r in changing])
            .order_by()
            .values_list("pk", "updated_at")
        )
        for row in changing:
            if stamps.get(row.existing["id"]) != row.existing["updated_at"]:
                row.status = ERROR
                row.errors["nhsa_code"] = _("该产品在导入过程中被他人修改或删除，请重新导入")
                row.detail = self._messages(row)

    def _store(self, rows: list[_Row], new: list[tuple[int, dict[str, list]]]) -> None:
        """Start storing a checked batch's new and changed products (``_settle`` waits for it); nothing once any row
        of the file was refused. ``new``: the batch's new products kept as columns (``_check_rows``)."""
        if self.failed or not rows:
            return
        per_row = [r.values for r in rows if r.status == NEW and r.values]
        creates = new_products([*new, (len(per_row), new_columns(per_row))])
        updates = [r.values for r in rows if r.status == CHANGED]
        if not creates and not updates:
            return
        fields = {name for r in rows if r.status == CHANGED for name in r.changed}
        self.storing = (rows[0].number, rows[-1].number)
        try:
            self.writer.start(creates, updates, fields)
        except DatabaseError as exc:
            self._store_failed(exc)

    def _settle(self) -> None:
        """Wait until the batch being stored is; a database error fails the file (the batch's savepoint is rolled
        back, so the transaction stays usable and the rest of the file is still checked)."""
        if self.storing is None:
            return
        try:
            self.writer.settle()
        except DatabaseError as exc:
            self._store_failed(exc)
        self.storing = None

    def _store_failed(self, exc: DatabaseError) -> None:
        first, last = self.storing
        self.storing = None
        self.report.fail_file(
            _("第 %(first)s–%(last)s 行写入数据库时出错：%(exc)s") % {"first": first, "last": last, "exc": exc}
        )

    def _messages(self, row: _Row) -> str:
        parts = list(row.problems)
        for name, message in row.errors.items():
            parts.append(f"{self.labels.get(name, name)}：{message}")
        return "；".join(parts)


def import_file(
    source,
    *,
    name: str = "",
    layout: str | Layout,
    dry_run: bool = False,
    by=None,
    report: ImportReport | None = None,
    progress: Callable[[int, int | None, dict], None] | None = None,
    batch_size: int = BATCH_SIZE,
    reason: str = "",
    writer: str = "auto",
) -> ImportResult:
    """Import a catalog file (path or binary file object) all-or-nothing; see the module docstring."""
    layout = get_layout(layout) if isinstance(layout, str) else layout
    report = report if report is not None else ImportReport()
    started = time.perf_counter()
    freeze_start_up()  # the process's start-up objects out of the full collections the rows set off
    importer = CatalogImporter(layout, report=report, by=by, reason=reason, batch_size=batch_size, writer=writer)
    written = False
    try:
        table = open_table(source, name=name, layout=layout)
    except FileProblem as exc:
        report.fail_file(exc.message)
    else:
        try:
            with transaction.atomic():
                try:
                    importer.run(table, progress)
                except FileProblem as exc:
                    report.fail_file(exc.message)
                written = not dry_run and not importer.failed
                if not written:
                    transaction.set_rollback(True)
        finally:
            table.close()
    report.finish()
    return ImportResult(
        layout=layout.key,
        dry_run=dry_run,
        counts=dict(report.counts),
        error_count=report.error_count,
        rows=report.rows,
        file_error=report.file_error,
        written=written,
        manufacturers_created=importer.manufacturers_created if written else 0,
        seconds=round(time.perf_counter() - started, 3),
    )
