"""Reads of the catalog shared by API, pages, admin and exports — above all the one search.

Search keys, in one box: code (prefix, any case, full-width tolerated), Chinese name (substring of the generic
or trade name), pinyin initials (``ffdsp`` → 复方丹参片) and full pinyin (prefix), traditional Mongolian name
(substring), manufacturer name (substring). Filters: category, insurance class, high value, shortage,
manufacturer, active.

The name keys are one condition on ``Product.search_text`` — the generic, trade and Mongolian names
lower-cased, the full pinyin and the initials, one per line — served by its one trigram GIN index. It means the same
as conditions on each field would: the pinyin columns hold only ``[a-z0-9]``, so a query with any other
character can only be found in a name, and a query of letters and digits is looked for inside the pinyin too (from
three characters; one or two letters match only the start of the pinyin or initials, and go the per-field way, which
no trigram index could serve anyway). A query of several lines (API only) also goes the per-field way.

Ranking: exact code, then code prefix, exact generic name, initials / pinyin / name prefix, then substring
matches; ties are ordered by trigram similarity of the generic name or, for a query in Latin letters, of its full
pinyin (computed on the matched products only), then by name. When nothing
matches a query that looks like pinyin initials (ASCII letters, 4+), the search tolerates typing slips: initials
within edit distance 2 (Levenshtein, fuzzystrmatch) of the query and sharing its first letter are offered instead
(``fgdssp`` still finds 复方丹参片) — the usual "did you mean" of a catalog.
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, F, FloatField, Func, IntegerField, Q, QuerySet, Value

from accounts.models import Organization
from common.numbers import param_id

from .codes import Category, normalize_code
from .models import SEARCH_SEPARATOR, InsuranceClass, Product

_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
_CODE_LIKE = re.compile(r"^(X[A-Z]\d|Z[A-Z0-9]{2}|T\d|TA|C\d|NM[YZT])", re.IGNORECASE)
FUZZY_MIN_LENGTH = 4
MAX_MAKERS = 500  # manufacturers whose name contains the query; more means the query says little about the maker
FUZZY_MAX_DISTANCE = 2


# What a list of products shows (the API's list, the catalog page): a search sorts its matches carrying only these
# columns and the maker's name, not the whole row — at 5,000 products the ~70 columns of product and maker cost about
# a third of the statement's time in its sort (measured by bench.catalog_search).
PRODUCT_LIST_FIELDS = (
    "nhsa_code",
    "category",
    "generic_name",
    "trade_name",
    "name_mn",
    "dosage_form",
    "specification",
    "pack_size",
    "min_unit",
    "pack_unit",
    "manufacturer__name",
    "insurance_class",
    "high_value",
    "shortage",
    "negotiated",
    "consistency_evaluated",
    "is_active",
)


def as_product_list(products: QuerySet[Product]) -> QuerySet[Product]:
    """A search (or any product queryset with its maker joined) narrowed to what lists show."""
    return products.only(*PRODUCT_LIST_FIELDS)


def products_visible_to(
    user, *, related: tuple[str, ...] = ("manufacturer", "preparing_hospital")
) -> QuerySet[Product]:
    """The catalog is public to every signed-in user of the platform."""
    return Product.objects.select_related(*related)


def _flag(value) -> bool | None:
    if value in (None, ""):
        return None
    return str(value).lower() in ("1", "true", "yes", "on", "是")


def search_params(query) -> dict:
    """The search's keyword arguments from a request's query string (pages, API and exports share it)."""
    insurance = query.get("insurance_class") or None
    if insurance in ("none", "0", "-"):
        insurance = InsuranceClass.NONE.value
    elif insurance not in (InsuranceClass.A, InsuranceClass.B):
        insurance = None
    active = query.get("active")
    return {
        "q": (query.get("q") or "").strip()[:100],
        "category": query.get("category") if query.get("category") in Category.values else None,
        "insurance_class": insurance,
        "high_value": _flag(query.get("high_value")),
        "shortage": _flag(query.get("shortage")),
        "manufacturer_id": param_id(query, "manufacturer_id" if query.get("manufacturer_id") else "manufacturer"),
        "active": True if active in (None, "") else _flag(active),
    }


def _apply_filters(qs, *, category, insurance_class, high_value, shortage, manufacturer_id, active):
    if category:
        qs = qs.filter(category=category)
    if insurance_class is not None:
        qs = qs.filter(insurance_class=insurance_class)
    if high_value is not None:
        qs = qs.filter(high_value=high_value)
    if shortage is not None:
        qs = qs.filter(shortage=shortage)
    if manufacturer_id:
        qs = qs.filter(manufacturer_id=manufacturer_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


class _MadeByMakersNamed(Func):
    """``manufacturer_id = ANY(ARRAY(SELECT id FROM the makers whose name contains q LIMIT …))`` — an
    index condition evaluated once. Written out rather than as the ORM's nested query, which costs more to build and
    compile than the database takes to run it (the search is typed a keystroke at a time)."""

    output_field = BooleanField()

    def __init__(self, q: str):
        super().__init__(F("manufacturer_id"))
        self.q = q

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        makers = connection.ops.quote_name(Organization._meta.db_table)
        pattern = f"%{connection.ops.prep_for_like_query(self.q)}%"
        sql = (
            f"{column} = ANY(ARRAY(SELECT maker.id FROM {makers} maker WHERE maker.kind = %s"
            f" AND UPPER(maker.name::text) LIKE UPPER(%s) LIMIT {MAX_MAKERS}))"
        )
        return sql, (*params, Organization.Kind.MANUFACTURER.value, pattern)


def _made_by_makers_named(q: str) -> Q:
    """Products of the manufacturers whose name contains the query. The makers are found first (a small table), so
    every branch of the search's condition is on the product table and PostgreSQL can combine its indexes (a join
    inside the OR would make it read every product), within the same query, as an array computed once."""
    return Q(_MadeByMakersNamed(q))


class _Rank(Func):
    """The search's ranking as one ``CASE`` written out: ``cases`` are (field, "exact" | "startswith", value, rank),
    the first that holds gives the rank, else ``otherwise`` (an expression). One expression instead of a When per
    case, each a lookup for the ORM to build and compile."""

    output_field = IntegerField()

    def __init__(self, cases: list[tuple[str, str, str, int]], otherwise):
        super().__init__(*[F(field) for field, _, _, _ in cases], otherwise)
        self.cases = cases

    def as_sql(self, compiler, connection, **extra_context):
        *columns, otherwise = self.source_expressions
        sql, params = ["CASE"], []
        for column, (_, lookup, value, rank) in zip(columns, self.cases, strict=True):
            column_sql, column_params = compiler.compile(column)
            if lookup == "startswith":
                sql.append(f"WHEN {column_sql} {connection.operators['startswith']} THEN {int(rank)}")
                value = f"{connection.ops.prep_for_like_query(value)}%"
            else:
                sql.append(f"WHEN {column_sql} = %s THEN {int(rank)}")
            params += [*column_params, value]
        otherwise_sql, otherwise_params = compiler.compile(otherwise)
        sql.append(f"ELSE {otherwise_sql} END")
        return " ".join(sql), (*params, *otherwise_params)


def _text_match(q: str) -> tuple[Q, list[tuple[str, str, str, int]]]:
    """The condition for a query and the ranking cases (lower rank = better)."""
    code = normalize_code(q)
    lower = q.lower()
    word = bool(_ASCII_WORD.match(lower))
    if (len(lower) >= 3 or not word) and SEARCH_SEPARATOR not in lower:
        # The names the search matches as text, in one column with one trigram index (see the module docstring).
        condition = Q(search_text__contains=lower)
    else:
        condition = Q(generic_name__icontains=q) | Q(trade_name__icontains=q) | Q(name_mn__icontains=q)
        if word:
            condition |= Q(name_initials__startswith=lower) | Q(name_pinyin__startswith=lower)
            if len(lower) >= 3:
                condition |= Q(name_initials__contains=lower) | Q(name_pinyin__contains=lower)
    condition |= _made_by_makers_named(q)
    ranks = [("generic_name", "exact", q, 2)]
    if code and code.isascii():
        condition |= Q(nhsa_code__startswith=code)
        ranks = [("nhsa_code", "exact", code, 0), ("nhsa_code", "startswith", code, 1)] + ranks
    if word:
        ranks += [
            ("name_initials", "exact", lower, 3),
            ("name_initials", "startswith", lower, 4),
            ("name_pinyin", "startswith", lower, 4),
        ]
    ranks += [("generic_name", "startswith", q, 5), ("trade_name", "startswith", q, 5)]
    return condition, ranks


def _may_be_initials(q: str) -> bool:
    return q.isascii() and q.isalpha() and len(q) >= FUZZY_MIN_LENGTH


class _NearInitials(Func):
    """The fallback's candidates: initials sharing the query's first letter, of a length within the distance, and
    within the distance itself (fuzzystrmatch). Written out as one condition, like the rank."""

    output_field = BooleanField()

    def __init__(self, lower: str):
        super().__init__(F("name_initials"))
        self.lower = lower

    def as_sql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        shortest, longest = len(self.lower) - FUZZY_MAX_DISTANCE, len(self.lower) + FUZZY_MAX_DISTANCE
        parts = [
            f"{column} {connection.operators['startswith']}",
            f"LENGTH({column}) >= {int(shortest)}",
            f"LENGTH({column}) <= {int(longest)}",
            f"levenshtein_less_equal({column}, %s, {FUZZY_MAX_DISTANCE}) <= {FUZZY_MAX_DISTANCE}",
        ]
        params = [
            *column_params,
            f"{connection.ops.prep_for_like_query(self.lower[0])}%",
            *column_params,
            *column_params,
            *column_params,
            self.lower,
        ]
        return f"({' AND '.join(parts)})", tuple(params)


class _LevenshteinAtMost(Func):
    """fuzzystrmatch's ``levenshtein_less_equal(a, b, k)``: the edit distance, or some value above `k` once it is
    certain to exceed it."""

    function = "levenshtein_less_equal"
    output_field = IntegerField()


class _Similarity(Func):
    """pg_trgm's similarity of the Chinese name to the query, or of the full pinyin for a query typed in
    Latin letters (the greater), written out like the rank: the ORM's Greatest of two TrigramSimilarity costs more to
    build and compile than the database takes to compute it for the matched products."""

    output_field = FloatField()

    def __init__(self, q: str):
        super().__init__(F("generic_name"), F("name_pinyin"))
        self.q = q

    def as_sql(self, compiler, connection, **extra_context):
        (name, name_params), (pinyin, pinyin_params) = (compiler.compile(e) for e in self.source_expressions)
        return (
            f"GREATEST(SIMILARITY({name}, %s), SIMILARITY({pinyin}, %s))",
            (*name_params, self.q, *pinyin_params, self.q.lower()),
        )


def _fuzzy_initials(base: QuerySet[Product], q: str) -> QuerySet[Product]:
    """The typing-slip fallback (asked for only when nothing matched): products whose initials are within edit
    distance 2 of the query and share its first letter, ranked 10 + distance (fuzzystrmatch)."""
    lower = q.lower()
    distance = _LevenshteinAtMost(F("name_initials"), Value(lower), Value(FUZZY_MAX_DISTANCE))
    return base.filter(_NearInitials(lower)).annotate(search_rank=Value(10) + distance)


def product_search(
    *,
    user,
    q: str = "",
    category: str | None = None,
    insurance_class: str | None = None,
    high_value: bool | None = None,
    shortage: bool | None = None,
    manufacturer_id: int | None = None,
    active: bool | None = True,
) -> QuerySet[Product]:
    base = _apply_filters(
        products_visible_to(user, related=("manufacturer",)),  # lists show the maker; the preparing hospital is on
        # the detail page, and exports join what their layout carries
        category=category,
        insurance_class=insurance_class,
        high_value=high_value,
        shortage=shortage,
        manufacturer_id=manufacturer_id,
        active=active,
    )
    q = (q or "").strip()
    if not q:
        return base.order_by("generic_name", "nhsa_code")
    condition, ranks = _text_match(q)
    qs = base.filter(condition)
    # Only a query that may be initials and matches nothing has a fallback to offer. The probe stops at the first
    # match; folding the fallback into the search's statement instead (under an uncorrelated NOT EXISTS) cost more to
    # build and compile than the probe's round trip (bench.catalog_search).
    if _may_be_initials(q) and not qs.exists():
        return _ranked(_fuzzy_initials(base, q), q)
    return _ranked(qs.annotate(search_rank=_Rank(ranks, Value(9))), q)


def _ranked(qs: QuerySet[Product], q: str) -> QuerySet[Product]:
    """Best rank first, ties by trigram similarity, then by name."""
    qs = qs.annotate(similarity=_Similarity(q))
    return qs.order_by("search_rank", "-similarity", "generic_name", "nhsa_code")


def product_detail(*, user, pk: int) -> Product:
    return products_visible_to(user).get(pk=pk)


def product_history(product: Product) -> list[dict]:
    """Who changed what and when, newest first, with the changed fields (old → new)."""
    records = list(product.history.select_related("history_user").order_by("-history_date", "-history_id"))
    labels = {f.name: str(f.verbose_name) for f in Product._meta.fields}
    result = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            delta = record.diff_against(older)
            changes = [
                {"field": c.field, "label": labels.get(c.field, c.field), "old": c.old, "new": c.new}
                for c in delta.changes
            ]
        result.append(
            {
                "at": record.history_date,
                "user": record.history_user.username if record.history_user else "",
                "type": record.history_type,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return result
