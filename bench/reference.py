"""The reference the API is measured against: the benchmarked round URLs served by a plain WSGI app.

No Django, only psycopg 3 and orjson: each request is one SQL statement (one round trip, in
autocommit, so no BEGIN/COMMIT) that checks the bearer token and reads the rows with their
participations as one JSON document built by PostgreSQL; Python then adds the amounts converted
into the reporting currency and writes the answer with orjson. The answers are the app's byte for
byte (`bench/api.py` checks that before measuring), so the ratio of the two servers' throughput is
the cost of everything the app does beyond reading its rows and writing its JSON.

    gunicorn bench.reference:application     (DATABASE_URL as the app reads it)

Served: `GET /api/v1/rounds/` (page numbers, or a cursor with `?cursor=`; filters `investor`,
`company`, `announced_on_after`, `announced_on_before`), `GET /api/v1/rounds/<id>/` and
`GET /api/v1/companies/<slug>/rounds/`. Each worker process reads the exchange-rate table once,
with its first request.
"""

from __future__ import annotations

import base64
import bisect
import calendar
import datetime
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Context, Decimal
from urllib import parse
from zoneinfo import ZoneInfo

import orjson
import psycopg
from psycopg.types.json import set_json_loads

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://portfolio:portfolio@127.0.0.1:5432/portfolio")
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Shanghai")
REPORTING_CURRENCY = os.environ.get("REPORTING_CURRENCY", "USD").upper()
MAX_AGE = datetime.timedelta(days=int(os.environ.get("FX_RATE_MAX_AGE_DAYS", "7")))
EURO = "EUR"
STAFF = "staff"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000

# Decimal arithmetic as the app's rate book does it: rates with twelve significant digits, an
# amount times its rate with forty, rounded half to even to the cent.
RATE_CONTEXT = Context(prec=12, rounding=ROUND_HALF_EVEN)
AMOUNT_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN)
CENT = Decimal("0.01")
ONE = Decimal(1)

ZONE = ZoneInfo(TIME_ZONE)


# Exchange rates


class Rate:
    """One unit of a currency in another on a day, from the ECB or staff, with its JSON forms."""

    __slots__ = ("on", "on_text", "origin", "text", "value")

    def __init__(self, value: Decimal, on: datetime.date, origin: str):
        self.value, self.on, self.origin = value, on, origin
        self.text = format(value.normalize(), "f")
        self.on_text = on.isoformat()

    def inverse(self) -> Rate:
        return Rate(RATE_CONTEXT.divide(ONE, self.value), self.on, self.origin)

    def times(self, other: Rate) -> Rate:
        """Through another currency: dated by the older leg, staff's when either leg is."""
        origin = STAFF if STAFF in (self.origin, other.origin) else self.origin
        return Rate(RATE_CONTEXT.multiply(self.value, other.value), min(self.on, other.on), origin)


class Series:
    """One pair's rates by day; on a day with both, staff's rate is kept."""

    def __init__(self) -> None:
        self.by_day: dict[datetime.date, Rate] = {}
        self.days: list[datetime.date] = []

    def add(self, rate: Rate) -> None:
        if rate.on not in self.by_day or rate.origin == STAFF:
            self.by_day[rate.on] = rate

    def on_or_before(self, day: datetime.date) -> Rate | None:
        index = bisect.bisect_right(self.days, day)
        return self.by_day[self.days[index - 1]] if index else None


def candidate_key(candidate: tuple) -> tuple:
    return candidate[:3]


class RateTable:
    """Every rate of the table, read once: the rate of a currency into the reporting currency on a
    day is the latest within the allowed age, of the pair either way round or through the euro."""

    def __init__(self, rows: Iterable[tuple]):
        self.series: dict[tuple[str, str], Series] = {}
        for base, quote, on, value, origin in rows:
            self.series.setdefault((base, quote), Series()).add(Rate(value, on, origin))
        for series in self.series.values():
            series.days = sorted(series.by_day)
        self.cache: dict[tuple[str, datetime.date], Rate | None] = {}

    def leg(self, source: str, target: str, day: datetime.date) -> Rate | None:
        candidates = []
        direct = self.series.get((source, target))
        if direct and (rate := direct.on_or_before(day)):
            candidates.append((rate.on, rate.origin == STAFF, 1, rate))
        inverse = self.series.get((target, source))
        if inverse and (rate := inverse.on_or_before(day)):
            candidates.append((rate.on, rate.origin == STAFF, 0, rate.inverse()))
        return max(candidates, key=candidate_key)[3] if candidates else None

    def find(self, source: str, target: str, day: datetime.date) -> Rate | None:
        candidates = []
        if direct := self.leg(source, target, day):
            candidates.append((direct.on, direct.origin == STAFF, 1, direct))
        if EURO not in (source, target):
            to_euro, from_euro = self.leg(source, EURO, day), self.leg(EURO, target, day)
            if to_euro and from_euro:
                crossed = to_euro.times(from_euro)
                candidates.append((crossed.on, crossed.origin == STAFF, 0, crossed))
        if not candidates:
            return None
        best = max(candidates, key=candidate_key)[3]
        return best if day - best.on <= MAX_AGE else None

    def rate(self, source: str, day: datetime.date) -> Rate | None:
        """The rate into the reporting currency, remembered for the process (the table is fixed)."""
        key = (source, day)
        if key not in self.cache:
            self.cache[key] = self.find(source, REPORTING_CURRENCY, day)
        return self.cache[key]


def unknown(reason: str) -> dict:
    return {
        "amount": None,
        "currency": REPORTING_CURRENCY,
        "rate": None,
        "rate_date": None,
        "rate_origin": "",
        "reason": reason,
    }


AMOUNT_UNKNOWN = unknown("The amount is not known.")
NO_DATE = unknown("The amount has no date, so no exchange rate applies to it.")


def missing_rate(source: str, day: datetime.date) -> dict:
    return unknown(
        f"No {source} to {REPORTING_CURRENCY} exchange rate on {day.isoformat()} or in the "
        f"{MAX_AGE.days} days before: load the ECB's rates (manage.py load_fx_rates) or add the rate "
        "in the admin."
    )


def converted(rates: RateTable, amount: str | None, source: str, day: datetime.date | None) -> dict:
    """An amount (a numeric(20,2) as text: two decimals) in the reporting currency, as the API shows it."""
    if amount is None:
        return AMOUNT_UNKNOWN
    if source == REPORTING_CURRENCY:
        return {
            "amount": amount,
            "currency": REPORTING_CURRENCY,
            "rate": "1",
            "rate_date": None,
            "rate_origin": "",
            "reason": "",
        }
    if day is None:
        return NO_DATE
    rate = rates.rate(source, day)
    if rate is None:
        return missing_rate(source, day)
    value = AMOUNT_CONTEXT.multiply(Decimal(amount), rate.value).quantize(CENT, context=AMOUNT_CONTEXT)
    return {
        "amount": str(value),
        "currency": REPORTING_CURRENCY,
        "rate": rate.text,
        "rate_date": rate.on_text,
        "rate_origin": rate.origin,
        "reason": "",
    }


# Partial dates


def conversion_day(text: str | None, precision: str, today: datetime.date) -> datetime.date | None:
    """The day whose rate converts an amount dated by a partial date: the period's end, never after today."""
    if text is None:
        return None
    day = datetime.date.fromisoformat(text)
    if precision == "year":
        day = day.replace(month=12, day=31)
    elif precision == "month":
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return min(day, today)


def display(text: str | None, precision: str) -> str:
    """ "2021", "2021-07" or "2021-07-28"; "" when unknown."""
    if text is None:
        return ""
    if precision == "year":
        return text[:4]
    if precision == "month":
        return text[:7]
    return text


# SQL


# The token, the count (page numbers) or the company (a history), and the rows, in one statement.
# The page's rounds are picked by id in `order` (with the limit and offset: an offset then skips index
# entries, not rows), their participations are read together, and the rounds are listed in `listed`.
STATEMENT = """
WITH auth AS (
    SELECT EXISTS (
        SELECT 1 FROM portfolio_apitoken t JOIN auth_user u ON u.id = t.user_id
        WHERE t.key_hash = %(key_hash)s AND t.revoked_at IS NULL AND u.is_active
    ) AS ok
),
{matched}picked AS (
    SELECT r.id FROM {source}
    ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s
),
investors AS (
    SELECT p.funding_round_id, json_agg(
        json_build_array(
            p.id, i.slug, i.name_en, i.name_zh, p.role, p.is_follow_on, p.amount::text, p.currency,
            p.shares_after::text, p.ownership_after::text, p.source_id, p.source_quote, p.version
        )
        ORDER BY p.role, i.name_en, p.id
    ) AS participations
    FROM rounds_participation p JOIN rounds_investor i ON i.id = p.investor_id
    WHERE p.funding_round_id IN (SELECT id FROM picked)
    GROUP BY p.funding_round_id
)
SELECT
    (SELECT ok FROM auth),
    {extra},
    (
        SELECT json_agg(
            json_build_array(
                r.id, c.slug, c.name_en, c.name_zh, r.stage, r.label, r.announced_on::text,
                r.announced_on_precision, r.amount::text, r.currency, r.pre_money::text, r.post_money::text,
                r.valuation_currency, r.notes, r.source_id, r.source_quote, r.version, r.created_at,
                r.updated_at, investors.participations
            )
            ORDER BY {listed}
        )
        FROM picked
        JOIN rounds_fundinground r ON r.id = picked.id
        JOIN companies_company c ON c.id = r.company_id
        LEFT JOIN investors ON investors.funding_round_id = r.id
    )
"""

# A filtered page-number list reads its rounds' ids once, for the count and the page.
MATCHED = "matched AS MATERIALIZED (SELECT r.id FROM {rounds}),\n"
COUNT_MATCHED = "(SELECT count(*) FROM matched)"
COUNT_ALL = "(SELECT count(*) FROM {rounds})"
COMPANY_ID = "(SELECT id FROM companies_company WHERE slug = %(slug)s)"

FILTERS: dict[str, str] = {
    "investor": (
        "EXISTS (SELECT 1 FROM rounds_participation p JOIN rounds_investor i ON i.id = p.investor_id"
        " WHERE p.funding_round_id = r.id AND i.slug = ANY(%(investor)s))"
    ),
    "company": "r.company_id IN (SELECT id FROM companies_company WHERE slug = ANY(%(company)s))",
    "announced_on_after": "r.announced_on >= %(announced_on_after)s",
    "announced_on_before": "r.announced_on <= %(announced_on_before)s",
}
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def statement(
    where: list[str], *, order: str = "r.id", listed: str = "r.id", extra: str = "NULL", counted: bool = False
) -> str:
    """The statement of a page of rounds matching every condition of `where` (no count unless `counted`;
    `extra`, a scalar subquery, otherwise)."""
    rounds = f"rounds_fundinground r WHERE (SELECT ok FROM auth) AND {' AND '.join(where) or 'TRUE'}"
    matched, source = "", rounds
    if counted and where:
        matched, source, extra = MATCHED.format(rounds=rounds), "matched r", COUNT_MATCHED
    elif counted:
        extra = COUNT_ALL.format(rounds=rounds)
    return STATEMENT.format(matched=matched, source=source, order=order, listed=listed, extra=extra)


# JSON


def drf_time(text: str) -> str:
    """A timestamp as PostgreSQL's JSON has it (in the session's time zone, the app's), as DRF writes it:
    isoformat(), so the microseconds in six digits when there are any, and "Z" for UTC."""
    if text[19] == "." and text[26] not in "+-":
        end = 20
        while text[end].isdigit():
            end += 1
        text = f"{text[:20]}{text[20:end]:0<6}{text[end:]}"
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def round_json(row: list, rates: RateTable, today: datetime.date) -> dict:
    """One round as FundingRoundSerializer shows it, its participations as RoundParticipationSerializer."""
    (
        pk,
        company,
        company_name_en,
        company_name_zh,
        stage,
        label,
        announced_on,
        precision,
        amount,
        currency,
        pre_money,
        post_money,
        valuation_currency,
        notes,
        source,
        source_quote,
        version,
        created_at,
        updated_at,
        participations,
    ) = row
    day = conversion_day(announced_on, precision, today)
    return {
        "id": pk,
        "company": company,
        "company_name_en": company_name_en,
        "company_name_zh": company_name_zh,
        "stage": stage,
        "label": label,
        "announced_on": announced_on,
        "announced_on_precision": precision,
        "announced_on_display": display(announced_on, precision),
        "amount": amount,
        "currency": currency,
        "amount_converted": converted(rates, amount, currency, day),
        "pre_money": pre_money,
        "post_money": post_money,
        "valuation_currency": valuation_currency,
        "pre_money_converted": converted(rates, pre_money, valuation_currency, day),
        "post_money_converted": converted(rates, post_money, valuation_currency, day),
        "notes": notes,
        "participations": [participation_json(p, rates, day) for p in participations or ()],
        "source": source,
        "source_quote": source_quote,
        "version": version,
        "created_at": drf_time(created_at),
        "updated_at": drf_time(updated_at),
    }


def participation_json(row: list, rates: RateTable, day: datetime.date | None) -> dict:
    pk, investor, name_en, name_zh, role, follow_on, amount, currency, shares, ownership, *rest = row
    source, quote, version = rest
    return {
        "id": pk,
        "investor": investor,
        "investor_name_en": name_en,
        "investor_name_zh": name_zh,
        "role": role,
        "is_follow_on": follow_on,
        "amount": amount,
        "currency": currency,
        "amount_converted": converted(rates, amount, currency, day),
        "shares_after": shares,
        "ownership_after": ownership,
        "source": source,
        "source_quote": quote,
        "version": version,
    }


LINE_SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")  # U+2028 and U+2029 in UTF-8


def dumps(data) -> bytes:
    """As DRF's JSONRenderer writes it: compact, UTF-8, with U+2028 and U+2029 escaped."""
    body = orjson.dumps(data)
    if LINE_SEPARATORS.search(body):
        body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return body


# URLs, as Django builds the request's absolute URL and DRF replaces a query parameter in it


def replace_query_param(url: str, key: str, value: str | None) -> str:
    """The URL with the parameter set to the value (removed when None), its parameters sorted."""
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    query_dict = parse.parse_qs(query, keep_blank_values=True)
    if value is None:
        query_dict.pop(key, None)
    else:
        query_dict[key] = [value]
    query = parse.urlencode(sorted(query_dict.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path, query, fragment))


def request_url(environ: dict) -> str:
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    path = parse.quote(environ.get("PATH_INFO", "/"), safe="/:@&+$,-_.!~*'()")
    query = environ.get("QUERY_STRING", "")
    return f"{environ['wsgi.url_scheme']}://{host}{path}{'?' + query if query else ''}"


def cursor_token(direction: str, pk: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([direction, pk])).rstrip(b"=").decode()


def cursor_key(token: str) -> tuple[str, int]:
    """The direction and id of a cursor token; ValueError when it is not one."""
    try:
        direction, pk = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError, orjson.JSONDecodeError) as error:
        raise ValueError(token) from error
    if direction not in ("n", "p") or type(pk) is not int:
        raise ValueError(token)
    return direction, pk


# The application


class Answer(Exception):
    """An answer other than 200, raised from anywhere in a request."""

    def __init__(self, status: str, body: dict):
        super().__init__(status)
        self.status, self.body = status, body


def bad_request(name: str, message: str) -> Answer:
    return Answer("400 Bad Request", {name: [message]})


def unauthorized(detail: str) -> Answer:
    return Answer("401 Unauthorized", {"detail": detail})


def not_found(detail: str = "Not found.") -> Answer:
    return Answer("404 Not Found", {"detail": detail})


def positive_int(params: dict[str, list[str]], name: str, *, maximum: int | None = None) -> int | None:
    raw = params.get(name, [""])[-1]
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(name, "Enter a whole number.") from None
    if value < 1:
        raise bad_request(name, "Must be at least 1.")
    if maximum is not None and value > maximum:
        raise bad_request(name, f"Must be at most {maximum}.")
    return value


class Reference:
    """One worker's connection and rate table, and the handlers of the served URLs."""

    DETAIL = re.compile(r"^/api/v1/rounds/(\d+)/$")
    HISTORY = re.compile(r"^/api/v1/companies/([-a-zA-Z0-9_]+)/rounds/$")

    def __init__(self, url: str):
        self.url = url
        self.connection: psycopg.Connection | None = None
        self._rates: RateTable | None = None

    @property
    def rates(self) -> RateTable:
        """The exchange-rate table, read by the worker's first request (a worker starts by forking)."""
        if self._rates is None:
            rows = self.connect().execute('SELECT base, quote, "on", rate, origin FROM fx_exchangerate')
            self._rates = RateTable(rows)
        return self._rates

    def connect(self) -> psycopg.Connection:
        if self.connection is None or self.connection.closed:
            # Statements are prepared once, but planned for each request's values: a generic plan
            # cannot know how many rounds a page or a company has.
            options = f"-c TimeZone={TIME_ZONE} -c DateStyle=ISO -c plan_cache_mode=force_custom_plan"
            self.connection = psycopg.connect(self.url, autocommit=True, options=options)
            set_json_loads(orjson.loads, self.connection)
        return self.connection

    def fetch(self, sql: str, params: dict) -> tuple:
        """The statement's one row: whether the token is valid, the extra value, the rounds."""
        try:
            ok, extra, rows = self.connect().execute(sql, params, prepare=True).fetchone()
        except psycopg.OperationalError:
            if self.connection is not None:
                self.connection.close()
            raise
        if not ok:
            raise unauthorized("Invalid or revoked token.")
        return extra, rows or []

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        try:
            if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
                raise Answer("405 Method Not Allowed", {"detail": "Only GET is served here."})
            key_hash = self.key_hash(environ)
            params = parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            path = environ.get("PATH_INFO", "")
            today = datetime.datetime.now(ZONE).date()
            if path == "/api/v1/rounds/":
                data = self.rounds(environ, params, key_hash, today)
            elif match := self.DETAIL.match(path):
                data = self.detail(int(match[1]), params, key_hash, today)
            elif match := self.HISTORY.match(path):
                data = self.history(match[1], params, key_hash, today)
            else:
                raise not_found()
            status, body = "200 OK", dumps(data)
        except Answer as answer:
            status, body = answer.status, dumps(answer.body)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    @staticmethod
    def key_hash(environ: dict) -> str:
        """The stored form of the bearer token (sha256, hex), as the app looks it up."""
        header = environ.get("HTTP_AUTHORIZATION", "").split()
        if not header or header[0].lower() != "bearer":
            raise unauthorized("Authentication credentials were not provided.")
        if len(header) != 2:
            raise unauthorized("Give the token after 'Bearer', with no spaces in it.")
        return hashlib.sha256(header[1].encode()).hexdigest()

    @staticmethod
    def check_parameters(params: dict[str, list[str]], allowed: set[str]) -> None:
        errors = {name: ["Unknown query parameter."] for name in params if name not in allowed}
        if errors:
            raise Answer("400 Bad Request", dict(sorted(errors.items())))

    def rounds(self, environ: dict, params: dict, key_hash: str, today: datetime.date) -> dict:
        """The list of rounds by id, a page by number (with the count) or by cursor."""
        self.check_parameters(params, {"page", "page_size", "cursor", *FILTERS})
        where, values = [], {"key_hash": key_hash}
        for name, condition in FILTERS.items():
            if name not in params:
                continue
            value = params[name][-1]
            if name.startswith("announced_on"):
                if not DATE_PATTERN.fullmatch(value):
                    raise bad_request(name, "Enter a date as YYYY-MM-DD.")
                values[name] = datetime.date.fromisoformat(value)
            else:
                values[name] = [slug.strip() for slug in value.split(",")]
            where.append(condition)
        page_size = positive_int(params, "page_size", maximum=MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
        url = request_url(environ)
        if "cursor" in params:
            return self.cursor_page(params["cursor"][-1], where, values, page_size, url, today)

        page = positive_int(params, "page") or 1
        values.update(limit=page_size, offset=(page - 1) * page_size)
        count, rows = self.fetch(statement(where, counted=True), values)
        pages = max(1, -(-count // page_size))
        if page > pages:
            raise not_found("Invalid page.")
        previous = None
        if page > 1:
            previous = replace_query_param(url, "page", None if page == 2 else str(page - 1))
        return {
            "count": count,
            "next": replace_query_param(url, "page", str(page + 1)) if page < pages else None,
            "previous": previous,
            "results": [round_json(row, self.rates, today) for row in rows],
        }

    def cursor_page(
        self, token: str, where: list[str], values: dict, page_size: int, url: str, today: datetime.date
    ) -> dict:
        """A page after (or before) a round's id; page_size + 1 rows are read to know if more follow."""
        direction, pk = "n", None
        if token:
            try:
                direction, pk = cursor_key(token)
            except ValueError:
                raise bad_request("cursor", "Invalid cursor.") from None
        values.update(limit=page_size + 1, offset=0)
        if pk is None:
            sql = statement(where)
        elif direction == "n":
            values["after"] = pk
            sql = statement([*where, "r.id > %(after)s"])
        else:
            values["before"] = pk
            sql = statement([*where, "r.id < %(before)s"], order="r.id DESC")
        _, rows = self.fetch(sql, values)
        more = len(rows) > page_size
        if direction == "n":
            rows = rows[:page_size]
            has_next, has_previous = more, pk is not None
        else:
            rows = rows[1:] if more else rows
            has_next, has_previous = True, more
        next_url = previous_url = None
        if rows and has_next:
            next_url = replace_query_param(url, "cursor", cursor_token("n", rows[-1][0]))
        if rows and has_previous:
            previous_url = replace_query_param(url, "cursor", cursor_token("p", rows[0][0]))
        return {
            "next": next_url,
            "previous": previous_url,
            "results": [round_json(row, self.rates, today) for row in rows],
        }

    def detail(self, pk: int, params: dict, key_hash: str, today: datetime.date) -> dict:
        self.check_parameters(params, set())
        values = {"key_hash": key_hash, "id": pk, "limit": 1, "offset": 0}
        _, rows = self.fetch(statement(["r.id = %(id)s"]), values)
        if not rows:
            raise not_found()
        return round_json(rows[0], self.rates, today)

    def history(self, slug: str, params: dict, key_hash: str, today: datetime.date) -> list:
        """A company's rounds, oldest first, those of unknown date last."""
        self.check_parameters(params, set())
        order = "r.announced_on, r.id"
        sql = statement([f"r.company_id = {COMPANY_ID}"], order=order, listed=order, extra=COMPANY_ID)
        company, rows = self.fetch(sql, {"key_hash": key_hash, "slug": slug, "limit": None, "offset": 0})
        if company is None:
            raise not_found()
        return [round_json(row, self.rates, today) for row in rows]


application = Reference(DATABASE_URL)
